import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { startQueues, type LocalQueues } from '../../local/runtime/sqs-local';
import { filesUnder, LeakMatcher, markedSecret } from '../support/leak-scan';

/**
 * The local queues on disk (local/runtime/queue-store.ts): what one run left, the next finds, in
 * flight and delayed messages included, and no message body is on disk in clear. Each test stops the
 * emulator and starts another on the same directory, as a restart does.
 */
let dir: string;
let queues: LocalQueues | undefined;
let sqs: SQSClient | undefined;
const MAX_RECEIVE_COUNT = 3;
/** How long a message stays in flight, or delayed, across the restart: far longer than a restart takes. */
const HIDDEN_SECONDS = 8;

async function start(): Promise<LocalQueues> {
  sqs?.destroy();
  queues = await startQueues(MAX_RECEIVE_COUNT, 'us-east-1', dir);
  sqs = new SQSClient({ region: 'us-east-1', endpoint: queues.endpoint, useQueueUrlAsEndpoint: false, credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
  return queues;
}

async function restart(): Promise<LocalQueues> {
  await queues!.stop();
  return start();
}

async function receive(queueUrl: string, VisibilityTimeout?: number): Promise<Message[]> {
  const { Messages = [] } = await sqs!.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
  return Messages;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const bodyOf = (onboardingId: string, accessToken: string) => JSON.stringify({ onboardingId, appId: '634974688087057', accessToken });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mps-queues-'));
});

afterEach(async () => {
  await queues?.stop();
  sqs?.destroy();
  queues = undefined;
  sqs = undefined;
  rmSync(dir, { recursive: true, force: true });
});

test('messages sent, in flight and delayed outlive a restart, each as it was sent; the files hold no body in clear', async () => {
  const { createQueueUrl } = await start();
  const tokens = ['ready', 'batch-1', 'batch-2', 'in-flight', 'delayed'].map((label) => ({ label, value: markedSecret('Tok') }));
  const [ready, batch1, batch2, inFlight, delayed] = tokens;
  await sqs!.send(new SendMessageCommand({ QueueUrl: createQueueUrl, MessageBody: bodyOf('in-flight', inFlight!.value) }));
  const [held] = await receive(createQueueUrl, HIDDEN_SECONDS);
  await sqs!.send(new SendMessageCommand({ QueueUrl: createQueueUrl, MessageBody: bodyOf('ready', ready!.value) }));
  await sqs!.send(
    new SendMessageBatchCommand({
      QueueUrl: createQueueUrl,
      Entries: [
        { Id: '1', MessageBody: bodyOf('batch-1', batch1!.value) },
        { Id: '2', MessageBody: bodyOf('batch-2', batch2!.value) },
      ],
    }),
  );
  await sqs!.send(new SendMessageCommand({ QueueUrl: createQueueUrl, MessageBody: bodyOf('delayed', delayed!.value), DelaySeconds: HIDDEN_SECONDS }));
  const hiddenUntil = Date.now() + HIDDEN_SECONDS * 1000;

  const { createQueueUrl: urlNow, endpoint } = await restart();
  // The queue's URL names this run's endpoint.
  expect(new URL(urlNow).port).toBe(new URL(endpoint).port);
  const first = await receive(urlNow);
  expect(first.map((m) => JSON.parse(m.Body!).onboardingId).sort()).toEqual(['batch-1', 'batch-2', 'ready']);
  for (const message of first) {
    const { onboardingId, accessToken } = JSON.parse(message.Body!);
    expect(accessToken === tokens.find((t) => t.label === onboardingId)!.value).toBe(true);
    expect(message.MD5OfBody).toBe(md5(message.Body!));
  }

  // Every message is on disk, none readable: the SQLite file and its journal hold no window of any token.
  const files = filesUnder(dir);
  expect(files.map((f) => f.where)).toEqual(expect.arrayContaining(['fauxqs.db', 'message-key']));
  const db = new DatabaseSync(join(dir, 'fauxqs.db'), { readOnly: true });
  const rows = db.prepare('SELECT body FROM sqs_messages').all() as { body: string }[];
  db.close();
  expect(rows).toHaveLength(5);
  for (const { body } of rows) expect(body).not.toContain('onboardingId');
  expect(new LeakMatcher(tokens).scan(files)).toEqual([]);
  // The key only its owner reads.
  expect(statSync(join(dir, 'message-key')).mode & 0o777).toBe(0o600);
  expect(statSync(dir).mode & 0o777).toBe(0o700);

  // The message in flight at the stop comes back when its visibility timeout ends, received twice; the delayed one when its delay ends.
  await sleep(Math.max(0, hiddenUntil - Date.now()) + 100);
  const later = await receive(urlNow);
  expect(later.map((m) => [JSON.parse(m.Body!).onboardingId, m.Attributes?.ApproximateReceiveCount]).sort()).toEqual([
    ['delayed', '1'],
    ['in-flight', '2'],
  ]);
  expect(later.find((m) => m.MessageId === held!.MessageId)?.Body).toBe(held!.Body);
}, 30_000);

test('a message put straight back (visibility 0) keeps its receive count, so the redrive policy still parks it in the DLQ after a restart', async () => {
  const { createQueueUrl } = await start();
  await sqs!.send(new SendMessageCommand({ QueueUrl: createQueueUrl, MessageBody: bodyOf('malformed', markedSecret('Tok')) }));
  for (let receives = 1; receives < MAX_RECEIVE_COUNT; receives++) {
    const [message] = await receive(createQueueUrl);
    expect(message?.Attributes?.ApproximateReceiveCount).toBe(String(receives));
    await sqs!.send(new ChangeMessageVisibilityCommand({ QueueUrl: createQueueUrl, ReceiptHandle: message!.ReceiptHandle, VisibilityTimeout: 0 }));
  }

  const { createQueueUrl: urlNow } = await restart();
  const [last] = await receive(urlNow);
  expect(last?.Attributes?.ApproximateReceiveCount).toBe(String(MAX_RECEIVE_COUNT));
  await sqs!.send(new ChangeMessageVisibilityCommand({ QueueUrl: urlNow, ReceiptHandle: last!.ReceiptHandle, VisibilityTimeout: 0 }));
  // One receive past the policy's count: parked.
  expect(await receive(urlNow)).toEqual([]);
  const { createDlqUrl: dlqNow } = await restart();
  const [parked] = await receive(dlqNow);
  expect(JSON.parse(parked!.Body!).onboardingId).toBe('malformed');
}, 20_000);
