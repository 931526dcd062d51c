import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TABLE_LAYOUT } from '../../lambdas/store/table-layout';
import { loopbackRefusal } from './loopback-host';

/** The AWS services whose requests are billed per request, metered between the callers and their emulators. */
export type MeteredService = 'dynamodb' | 'sqs';

/** What one caller's requests of one operation cost (DynamoDB's or SQS's own operation names). */
export interface OperationUsage {
  requests: number;
  /** DynamoDB: read request units, as DynamoDB Local reports them (ReturnConsumedCapacity INDEXES: table and indexes). */
  readUnits: number;
  /**
   * DynamoDB: write request units, the same way (an index write whose key changed counts twice); for a
   * transaction, whose units DynamoDB Local misreports, computed by DynamoDB's rules from the items'
   * images before and after it (transactionWriteUnits).
   */
  writeUnits: number;
  /** DynamoDB: writes refused by their condition (a transaction cancelled): DynamoDB Local reports no units for them. */
  refused: number;
  /** DynamoDB: transactions whose units could not be computed (an image could not be read): none in a sound run. */
  unmetered: number;
  /** SQS: billed requests, one per 64 KiB chunk of the request's or the answer's payload. */
  chunks: number;
  /** SQS: receives that found no message. */
  empty: number;
  /** Time from the request to its answer, summed (ms). */
  ms: number;
}

/** One function's invocations in its sandboxes. */
export interface FunctionUsage {
  invocations: number;
  /** Each invocation's duration rounded up to the millisecond, as Lambda bills it, summed. */
  billedMs: number;
  /** Sandboxes started (cold starts) and their load time rounded up the same way: Lambda bills INIT too. */
  inits: number;
  initBilledMs: number;
}

export interface UsageSnapshot {
  /** Per service, per caller (a function by its name, or `eventSources`), per operation. */
  services: Record<MeteredService, Record<string, Record<string, OperationUsage>>>;
  functions: Record<string, FunctionUsage>;
}

export interface UsageMeter {
  /** `GET` it for a UsageSnapshot of everything counted since the start. */
  url: string;
  /** The endpoint `caller` uses for `service` (its AWS_ENDPOINT_URL_<SERVICE>): its requests are counted as its own. */
  endpoint(service: MeteredService, caller: string): string;
  invoked(functionName: string, durationMs: number): void;
  initialized(functionName: string, durationMs: number): void;
  stop(): Promise<void>;
}

/** DynamoDB operations that take ReturnConsumedCapacity, and whether they read or write. */
const DYNAMODB_OPERATIONS: Record<string, 'read' | 'write'> = {
  GetItem: 'read',
  BatchGetItem: 'read',
  Query: 'read',
  Scan: 'read',
  TransactGetItems: 'read',
  PutItem: 'write',
  UpdateItem: 'write',
  DeleteItem: 'write',
  BatchWriteItem: 'write',
  TransactWriteItems: 'write',
};
/** SQS bills each 64 KiB chunk of a request's payload as one request. */
const SQS_CHUNK_BYTES = 64 * 1024;
/** Hop-by-hop headers and the length, which the meter sets itself. */
const NOT_FORWARDED = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/**
 * A meter in front of DynamoDB Local and fauxqs, for the bench's cost of a solution: each caller gets
 * an endpoint of its own (`/<service>/<caller>`), so that what each function (and each event source)
 * asks of them is counted apart. DynamoDB requests are forwarded asking for their consumed capacity
 * (table and indexes), which DynamoDB Local computes as DynamoDB does; the answer is passed on as it
 * came. Nothing of a request's content is kept: counts and times only. Lambda's side (invocations,
 * billed milliseconds) is told by the sandboxes' pool.
 */
export async function startUsageMeter(targets: Record<MeteredService, string>): Promise<UsageMeter> {
  const snapshot: UsageSnapshot = { services: { dynamodb: {}, sqs: {} }, functions: {} };
  const operation = (service: MeteredService, caller: string, name: string): OperationUsage =>
    ((snapshot.services[service][caller] ??= {})[name] ??= { requests: 0, readUnits: 0, writeUnits: 0, refused: 0, unmetered: 0, chunks: 0, empty: 0, ms: 0 });
  // Its own connections to the emulators, closed with it.
  const agent = new Agent({ keepAlive: true });
  const fn = (name: string): FunctionUsage => (snapshot.functions[name] ??= { invocations: 0, billedMs: 0, inits: 0, initBilledMs: 0 });

  const server = createServer((req, res) => {
    const refusal = loopbackRefusal(req.headers);
    if (refusal) return void res.writeHead(refusal).end();
    if (req.method === 'GET' && req.url === '/usage') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(snapshot));
    }
    const [, service, caller, ...rest] = (req.url ?? '/').split('/');
    if (service !== 'dynamodb' && service !== 'sqs') return void res.writeHead(404).end();
    const target = new URL(targets[service]);
    const started = performance.now();
    readBody(req).then(async (body) => {
      const name = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const forwarded = service === 'dynamodb' && name in DYNAMODB_OPERATIONS ? withConsumedCapacity(body) : body;
      const send = (b: Buffer, headers = req.headers) => forward(agent, target, `/${rest.join('/')}`, req.method ?? 'POST', headers, b);
      const isTransaction = service === 'dynamodb' && name === 'TransactWriteItems';
      // The meter's own reads never change the request's outcome: a failed one leaves the transaction unmetered.
      const images = isTransaction ? await transactionImages(body, req.headers, send).catch(() => undefined) : undefined;
      const answer = await send(forwarded);
      const usage = operation(service, caller || 'unknown', name || 'unknown');
      usage.requests++;
      usage.ms += performance.now() - started;
      if (isTransaction && answer.status < 400) {
        const units = await images?.after().then(transactionWriteUnits, () => undefined);
        if (units === undefined) usage.unmetered++;
        else usage.writeUnits += units;
      } else if (service === 'dynamodb') countCapacity(usage, DYNAMODB_OPERATIONS[name], answer);
      else countSqs(usage, name, body, answer);
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    }).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${url}/usage`,
    endpoint: (service, caller) => `${url}/${service}/${caller}`,
    invoked: (name, ms) => {
      const usage = fn(name);
      usage.invocations++;
      usage.billedMs += Math.ceil(ms);
    },
    initialized: (name, ms) => {
      const usage = fn(name);
      usage.inits++;
      usage.initBilledMs += Math.ceil(ms);
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c)).once('end', () => resolve(Buffer.concat(chunks))).once('error', reject);
  });
}

/** The request asking for its consumed capacity, table and indexes (unless it asked for some itself). */
function withConsumedCapacity(body: Buffer): Buffer {
  const input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  if (input.ReturnConsumedCapacity !== undefined && input.ReturnConsumedCapacity !== 'NONE') return body;
  return Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'INDEXES' }));
}

function forward(agent: Agent, target: URL, path: string, method: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Answer> {
  const kept = Object.fromEntries(Object.entries(headers).filter(([name, value]) => !NOT_FORWARDED.has(name) && value !== undefined)) as Record<string, string | string[]>;
  return new Promise((resolve, reject) => {
    const outgoing = request({ agent, host: target.hostname, port: target.port, path, method, headers: { ...kept, host: target.host, 'content-length': body.length } }, (answer) => {
      readBody(answer).then((answerBody) => {
        const answerHeaders = Object.fromEntries(Object.entries(answer.headers).filter(([name, value]) => !NOT_FORWARDED.has(name) && value !== undefined)) as Record<string, string | string[]>;
        resolve({ status: answer.statusCode ?? 502, headers: { ...answerHeaders, 'content-length': String(answerBody.length) }, body: answerBody });
      }, reject);
    });
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

function parsed(body: Buffer): Record<string, unknown> | undefined {
  try {
    return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function countCapacity(usage: OperationUsage, kind: 'read' | 'write' | undefined, answer: Answer): void {
  const output = parsed(answer.body);
  if (answer.status >= 400) {
    const type = String(output?.__type ?? '');
    if (/ConditionalCheckFailed|TransactionCanceled/.test(type)) usage.refused++;
    return;
  }
  if (!kind) return;
  const consumed = output?.ConsumedCapacity;
  const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((sum: number, c) => sum + Number((c as { CapacityUnits?: number }).CapacityUnits ?? 0), 0);
  if (kind === 'read') usage.readUnits += units;
  else usage.writeUnits += units;
}

function countSqs(usage: OperationUsage, name: string, body: Buffer, answer: Answer): void {
  usage.chunks += Math.max(1, Math.ceil(Math.max(body.length, answer.body.length) / SQS_CHUNK_BYTES));
  if (name === 'ReceiveMessage' && answer.status < 400) {
    const messages = parsed(answer.body)?.Messages;
    if (!Array.isArray(messages) || messages.length === 0) usage.empty++;
  }
}

type AttributeValue = { S?: string; N?: string; B?: string; BOOL?: boolean; NULL?: boolean; L?: AttributeValue[]; M?: Record<string, AttributeValue>; SS?: string[]; NS?: string[]; BS?: string[] };
type Item = Record<string, AttributeValue>;
/** One item a transaction writes, as it was before (undefined: none) and after (undefined: deleted). */
interface ItemImages {
  before: Item | undefined;
  after: Item | undefined;
}

/** DynamoDB's size of an attribute value: strings and binaries by their bytes, numbers about half their digits, containers 3 bytes and 1 per element. */
function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/[^0-9]/g, '').length / 2) + 1;
  if (v.B !== undefined) return Buffer.from(v.B, 'base64').length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L) return 3 + v.L.reduce((sum, e) => sum + 1 + valueSize(e), 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((sum, [k, e]) => sum + 1 + Buffer.byteLength(k) + valueSize(e), 0);
  const set = v.SS ?? v.NS ?? v.BS ?? [];
  return set.reduce((sum, e) => sum + Buffer.byteLength(e), 0);
}
/** Write units of an item's copy: one per started KB. */
const kbUnits = (item: Item) => Math.max(1, Math.ceil(Object.entries(item).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + valueSize(v), 0) / 1024));

const INDEX_KEYS: string[][] = Object.values(TABLE_LAYOUT.indexes).map((i) => ('sortKey' in i ? [i.partitionKey, i.sortKey] : [i.partitionKey]));

/**
 * A transaction's write units, by DynamoDB's rules: twice those of standard writes of the same items,
 * where a standard write costs the item's KB for the table, and for each index (every one projects
 * all attributes) the KB of the entry it puts, plus those of the entry it deletes when the key moved.
 */
export function transactionWriteUnits(items: readonly ItemImages[]): number {
  let units = 0;
  for (const { before, after } of items) {
    units += kbUnits(after ?? before ?? {});
    for (const keys of INDEX_KEYS) {
      const keyOf = (item: Item | undefined) => (item && keys.every((k) => item[k] !== undefined) ? JSON.stringify(keys.map((k) => item[k])) : undefined);
      const [was, is] = [keyOf(before), keyOf(after)];
      if (is !== undefined) units += kbUnits(after!);
      if (was !== undefined && was !== is) units += kbUnits(before!);
    }
  }
  return 2 * units;
}

/**
 * Reads (unmetered) every item a TransactWriteItems names, before it is sent; `after` reads them
 * again once it went through.
 */
async function transactionImages(
  body: Buffer,
  headers: IncomingHttpHeaders,
  send: (body: Buffer, headers: IncomingHttpHeaders) => Promise<Answer>,
): Promise<{ after: () => Promise<ItemImages[]> }> {
  const input = parsed(body) as { TransactItems?: Record<string, { TableName: string; Key?: Item; Item?: Item }>[] } | undefined;
  const targets = (input?.TransactItems ?? []).flatMap((entry) => {
    const write = entry.Put ?? entry.Update ?? entry.Delete;
    if (!write) return [];
    const key = write.Key ?? { [TABLE_LAYOUT.partitionKey]: write.Item![TABLE_LAYOUT.partitionKey]!, [TABLE_LAYOUT.sortKey]: write.Item![TABLE_LAYOUT.sortKey]! };
    return [{ TableName: write.TableName, Key: key }];
  });
  const getHeaders = { ...headers, 'x-amz-target': 'DynamoDB_20120810.GetItem' };
  const read = async (t: { TableName: string; Key: Item }) => parsed((await send(Buffer.from(JSON.stringify({ ...t, ConsistentRead: true })), getHeaders)).body)?.Item as Item | undefined;
  const before = await Promise.all(targets.map(read));
  return { after: async () => (await Promise.all(targets.map(read))).map((after, i) => ({ before: before[i], after })) };
}
