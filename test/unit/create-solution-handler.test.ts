import { jest } from '@jest/globals';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ChangeMessageVisibilityBatchCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { lambdaContext } from '../../local/runtime/lambda-context';

/**
 * The create handler as the SQS event source invokes it, its AWS clients mocked and Graph answered
 * by a stubbed fetch: what it asks of the queue and the table when a solution is busy elsewhere, when
 * an attempt fails and is retried, and when a message can never be processed.
 */
const MAX_RECEIVE_COUNT = 5;
Object.assign(process.env, {
  TABLE_NAME: 'mps-test',
  PARTNER_APP_ID: '1000000000000001',
  CREATE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/mps-create-solution',
  CREATE_REDELIVERY_SECONDS: '180',
  CREATE_MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
  APP_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:1:secret:mps-app-secret',
  GRAPH_API_BASE_URL: 'https://graph.test',
  AWS_REGION: 'us-east-1',
});

const db = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const graph = jest.spyOn(globalThis, 'fetch');
const { handler } = await import('../../lambdas/handlers/create-solution');
const { metrics } = await import('../../lambdas/commons/observability');
const addMetric = jest.spyOn(metrics, 'addMetric');

const MESSAGE = { onboardingId: 'ob-1', appId: '111', accessToken: 'EAAhandlertesttoken' };
const ITEM = { onboardingId: 'ob-1', appId: '111', appName: 'prod', solutionName: 'Acme × prod · abc234', attempts: 1, createdAt: 't', updatedAt: 't' };

function sqsRecord(body: string, receiveCount = 1): SQSRecord {
  return {
    messageId: 'm-1',
    receiptHandle: 'rh-1',
    body,
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 's', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:1:mps-create-solution',
    awsRegion: 'us-east-1',
  };
}
const invoke = (record: SQSRecord) => handler({ Records: [record] } satisfies SQSEvent, lambdaContext('createSolution', 30, 256)) as Promise<SQSBatchResponse>;
const graphAnswer = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const visibility = () => sqs.commandCalls(ChangeMessageVisibilityBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
const updates = () => db.commandCalls(UpdateCommand).map((c) => c.args[0].input);
type Update = ReturnType<typeof updates>[number];
/** An update's expression clause (`SET`, `REMOVE`) as the attribute names it holds, its placeholders resolved. */
const clause = (update: Update | undefined, keyword: 'SET' | 'REMOVE') => {
  const text = update?.UpdateExpression?.match(new RegExp(`${keyword} (.*?)(?: (?:SET|REMOVE) |$)`))?.[1] ?? '';
  return text ? text.split(', ').map((part) => part.replace(/#\w+/g, (name) => update?.ExpressionAttributeNames?.[name] ?? name)) : [];
};
/** The value an update sets `attribute` to. */
const setTo = (update: Update | undefined, attribute: string) => {
  const assignment = clause(update, 'SET').find((part) => part.startsWith(`${attribute} = :`));
  return assignment === undefined ? undefined : update?.ExpressionAttributeValues?.[assignment.slice(attribute.length + 3)];
};
/** The statuses an update's condition allows the item to be in. */
const fromStatuses = (update: Update | undefined) => {
  const placeholder = Object.entries(update?.ExpressionAttributeNames ?? {}).find(([, name]) => name === 'status')?.[0];
  const test = update?.ConditionExpression?.match(new RegExp(`${placeholder} (?:= (:\\w+)|IN \\(([^)]*)\\))`));
  return (test?.[1] ?? test?.[2] ?? '').split(', ').filter(Boolean).map((value) => update?.ExpressionAttributeValues?.[value]);
};

beforeEach(() => {
  db.reset();
  sqs.reset();
  graph.mockReset();
  addMetric.mockClear();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  db.on(UpdateCommand).resolves({});
  db.on(DeleteCommand).resolves({});
});

describe('create handler: a solution busy elsewhere', () => {
  function busyFor(leaseLeftMs: number) {
    // The claim fails on the item: another attempt holds it, its lease running.
    db.on(TransactWriteCommand).rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] }));
    db.on(GetCommand).resolves({ Item: { ...ITEM, status: 'CREATING', leaseExpiresAt: Date.now() + leaseLeftMs } });
  }

  test('the message goes back as a new one, delayed and counted, without using up a receive; the record learns when it returns', async () => {
    busyFor(4_000);
    const before = Date.now();

    await expect(invoke(sqsRecord(JSON.stringify(MESSAGE), 3))).resolves.toEqual({ batchItemFailures: [] });

    const sent = sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.MessageBody!)).toEqual({ ...MESSAGE, kind: 'create', deferrals: 1 });
    // The holder's lease (4 s) is the estimate, with up to a quarter of jitter.
    expect(sent[0]!.DelaySeconds).toBeGreaterThanOrEqual(4);
    expect(sent[0]!.DelaySeconds).toBeLessThanOrEqual(5);
    const waiting = updates().find((u) => clause(u, 'SET').length === 1 && setTo(u, 'nextAttemptAt') !== undefined);
    const returnsAt = Date.parse(setTo(waiting, 'nextAttemptAt') as string);
    expect(returnsAt - before).toBeGreaterThanOrEqual(sent[0]!.DelaySeconds! * 1000 - 50);
    expect(visibility()).toEqual([]);
    expect(graph).not.toHaveBeenCalled();
  });

  test('past the deferral limit it fails like any other message, and comes back after its backoff', async () => {
    busyFor(4_000);

    await expect(invoke(sqsRecord(JSON.stringify({ ...MESSAGE, deferrals: 12 }), 2))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });

    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    const [entry] = visibility();
    // The create backoff for receive 2: 2 × 2¹ = 4 s at most, jittered down.
    expect(entry).toMatchObject({ ReceiptHandle: 'rh-1' });
    expect(entry!.VisibilityTimeout).toBeGreaterThanOrEqual(1);
    expect(entry!.VisibilityTimeout).toBeLessThanOrEqual(4);
  });
});

describe('create handler: a failed attempt', () => {
  beforeEach(() => {
    db.on(TransactWriteCommand).resolves({});
    db.on(GetCommand).resolves({ Item: { ...ITEM, status: 'CREATING', attempts: 1 } });
  });

  test('a transient Graph error schedules the retry on the record, and the message comes back exactly then', async () => {
    graph.mockResolvedValue(graphAnswer(503, { error: { code: 2, message: 'Service temporarily unavailable', is_transient: true } }));
    const before = Date.now();

    await expect(invoke(sqsRecord(JSON.stringify(MESSAGE)))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });

    const release = updates().find((u) => setTo(u, 'status') === 'CREATING' && fromStatuses(u).join() === 'CREATING');
    const nextAttemptAt = Date.parse(setTo(release, 'nextAttemptAt') as string);
    const [entry] = visibility();
    expect(entry).toMatchObject({ ReceiptHandle: 'rh-1' });
    expect(Math.abs(before + entry!.VisibilityTimeout! * 1000 - nextAttemptAt)).toBeLessThan(2_000);
    expect(addMetric).toHaveBeenCalledWith('CreateAttemptFailed', 'Count', 1);
  });

  test('a permanent Graph error ends CREATE_FAILED: the message is done with, and the failed-create metric counts it', async () => {
    graph.mockResolvedValue(graphAnswer(400, { error: { code: 100, message: '(#100) Invalid parameter', fbtrace_id: 'T1' } }));

    await expect(invoke(sqsRecord(JSON.stringify(MESSAGE)))).resolves.toEqual({ batchItemFailures: [] });

    expect(updates().map((u) => setTo(u, 'status'))).toContain('CREATE_FAILED');
    expect(visibility()).toEqual([]);
    expect(addMetric).toHaveBeenCalledWith('SolutionCreateFailed', 'Count', 1);
  });

  test('on its last delivery, a failure before the attempt tells the record that no delivery follows', async () => {
    db.on(TransactWriteCommand).rejects(new Error('DynamoDB is down'));

    await expect(invoke(sqsRecord(JSON.stringify(MESSAGE), MAX_RECEIVE_COUNT))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });

    expect(updates().map((u) => [clause(u, 'SET'), clause(u, 'REMOVE')])).toEqual([[[], ['nextAttemptAt']]]);
    expect(graph).not.toHaveBeenCalled();
  });
});

test('a malformed message fails at once, with no wait between its receives, touching neither the table nor Graph', async () => {
  await expect(invoke(sqsRecord('{"not":"a create message"}'))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });

  expect(visibility()).toEqual([expect.objectContaining({ ReceiptHandle: 'rh-1', VisibilityTimeout: 0 })]);
  expect(db.calls()).toHaveLength(0);
  expect(graph).not.toHaveBeenCalled();
});
