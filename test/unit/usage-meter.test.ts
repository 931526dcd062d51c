import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startUsageMeter, transactionWriteUnits, type UsageMeter, type UsageSnapshot } from '../../local/runtime/usage-meter';

/**
 * The local usage meter (the bench's cost of a solution): what each caller asked of DynamoDB and SQS,
 * counted between it and a stand-in emulator that answers as DynamoDB Local and fauxqs do, and what
 * the sandboxes report of Lambda.
 */
interface Seen {
  path: string;
  target: string;
  body: Record<string, unknown>;
}

let upstream: Server;
let meter: UsageMeter;
const seen: Seen[] = [];
/** Items as the stand-in holds them, for the meter's reads around a transaction. */
const items = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const target = String(req.headers['x-amz-target']);
      seen.push({ path: req.url ?? '', target, body });
      const reply = (status: number, answer: unknown) => res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(answer));
      switch (target.split('.').pop()) {
        case 'GetItem': {
          const item = items.get(JSON.stringify(body.Key));
          return reply(200, { ...(item ? { Item: item } : {}), ...(body.ReturnConsumedCapacity ? { ConsumedCapacity: { TableName: 't', CapacityUnits: 1 } } : {}) });
        }
        case 'UpdateItem':
          return body.ConditionExpression === 'refuse'
            ? reply(400, { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' })
            : reply(200, { ConsumedCapacity: { TableName: 't', CapacityUnits: 4, Table: { CapacityUnits: 1 } } });
        case 'TransactWriteItems': {
          // Applies the puts, and answers with units as wrong as DynamoDB Local's for transactions.
          for (const entry of body.TransactItems as { Put?: { Item: Record<string, { S: string }> } }[]) {
            if (entry.Put) items.set(JSON.stringify({ pk: entry.Put.Item.pk, sk: entry.Put.Item.sk }), entry.Put.Item);
          }
          return reply(200, { ConsumedCapacity: [{ TableName: 't', CapacityUnits: 1 }] });
        }
        case 'ReceiveMessage':
          return reply(200, body.QueueUrl === 'empty' ? {} : { Messages: [{ MessageId: 'm', Body: 'x'.repeat(70 * 1024) }] });
        default:
          return reply(200, {});
      }
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  meter = await startUsageMeter({ dynamodb: url, sqs: url });
});

afterAll(async () => {
  await meter.stop();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

function call(service: 'dynamodb' | 'sqs', caller: string, operation: string, body: Record<string, unknown>) {
  const prefix = service === 'dynamodb' ? 'DynamoDB_20120810' : 'AmazonSQS';
  return fetch(`${meter.endpoint(service, caller)}/`, { method: 'POST', headers: { 'x-amz-target': `${prefix}.${operation}`, 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify(body) });
}

const snapshot = async () => (await (await fetch(meter.url)).json()) as UsageSnapshot;

test('DynamoDB requests are forwarded asking for their consumed capacity, and each caller’s units and refusals are its own', async () => {
  const answer = await call('dynamodb', 'intake', 'GetItem', { TableName: 't', Key: { pk: { S: 'nothing' }, sk: { S: 'here' } } });
  expect(answer.status).toBe(200);
  expect(seen.at(-1)).toMatchObject({ path: '/', body: { ReturnConsumedCapacity: 'INDEXES' } });
  await call('dynamodb', 'createSolution', 'UpdateItem', { TableName: 't' });
  const refused = await call('dynamodb', 'createSolution', 'UpdateItem', { TableName: 't', ConditionExpression: 'refuse' });
  // The caller gets DynamoDB's own answer.
  expect(refused.status).toBe(400);
  expect(((await refused.json()) as { __type: string }).__type).toMatch(/ConditionalCheckFailedException/);

  const { dynamodb } = (await snapshot()).services;
  expect(dynamodb.intake!.GetItem).toMatchObject({ requests: 1, readUnits: 1, writeUnits: 0 });
  expect(dynamodb.createSolution!.UpdateItem).toMatchObject({ requests: 2, readUnits: 0, writeUnits: 4, refused: 1 });
});

test('a transaction’s units are computed from its items’ images, not taken from the emulator’s answer', async () => {
  const solution = { pk: { S: 'ONBOARDING#1' }, sk: { S: 'SOLUTION#2' }, status: { S: 'PENDING' }, updatedAt: { S: 'now' }, appId: { S: '2' }, createdAt: { S: 'now' } };
  const guard = { pk: { S: 'TOKEN#f' }, sk: { S: 'TOKEN' } };
  await call('dynamodb', 'intake', 'TransactWriteItems', { TransactItems: [{ Put: { TableName: 't', Item: guard } }, { Put: { TableName: 't', Item: solution } }] });
  // (guard: table; solution: table, byStatus, byAppId) × 2 for a transaction.
  expect((await snapshot()).services.dynamodb.intake!.TransactWriteItems).toMatchObject({ requests: 1, writeUnits: 2 * (1 + 3), unmetered: 0 });
});

test('SQS requests count a billed request per 64 KiB chunk, and empty receives apart', async () => {
  await call('sqs', 'eventSources', 'ReceiveMessage', { QueueUrl: 'full' });
  await call('sqs', 'eventSources', 'ReceiveMessage', { QueueUrl: 'empty' });
  await call('sqs', 'intake', 'SendMessageBatch', { QueueUrl: 'q', Entries: [] });
  const { sqs } = (await snapshot()).services;
  // A 70 KiB message answered is two chunks; the empty receive one.
  expect(sqs.eventSources!.ReceiveMessage).toMatchObject({ requests: 2, chunks: 3, empty: 1 });
  expect(sqs.intake!.SendMessageBatch).toMatchObject({ requests: 1, chunks: 1, empty: 0 });
});

test('Lambda’s side: invocations and sandbox starts billed per started millisecond', async () => {
  meter.invoked('acceptSolution', 10.2);
  meter.invoked('acceptSolution', 3);
  meter.initialized('acceptSolution', 250.5);
  expect((await snapshot()).functions.acceptSolution).toEqual({ invocations: 2, billedMs: 14, inits: 1, initBilledMs: 251 });
});

describe('transactionWriteUnits', () => {
  const solution = (status: string, extra: Record<string, { S: string }> = {}) => ({ pk: { S: 'p' }, sk: { S: 's' }, status: { S: status }, updatedAt: { S: status }, appId: { S: 'a' }, createdAt: { S: 'c' }, ...extra });

  test('a move of an index’s key costs that index twice (its entry deleted and put), an index entered once', () => {
    // Table 1, byStatus 2 (moved), byAppId 1, bySolutionId 1 (entered): ×2.
    expect(transactionWriteUnits([{ before: solution('CREATING'), after: solution('CREATED', { solutionId: { S: '9' } }) }])).toBe(2 * 5);
    // An item in no index: its table copy only.
    expect(transactionWriteUnits([{ before: undefined, after: { pk: { S: 'APP#a' }, sk: { S: 'GUARD' } } }])).toBe(2);
  });

  test('an item over 1 KB costs a unit per started KB in every copy', () => {
    const big = solution('PENDING', { history: { S: 'x'.repeat(1500) } });
    expect(transactionWriteUnits([{ before: undefined, after: big }])).toBe(2 * 3 * 2);
  });
});
