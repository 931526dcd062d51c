import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { EventSource } from './event-source';

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  /** Lambda gathers messages for up to this long before invoking, unless the batch fills first. */
  maxBatchingWindowSeconds: number;
  maxConcurrency: number;
  invoke: (event: SQSEvent) => Promise<SQSBatchResponse | void>;
  onError: (error: unknown) => void;
}

/** How long one receive waits for messages; short, so that stopping is prompt. */
const WAIT_SECONDS = 1;
/** ReceiveMessage returns at most 10 messages; Lambda batches of more are gathered over several receives. */
const SQS_RECEIVE_LIMIT = 10;

/**
 * Lambda's SQS event source mapping, locally: long-polls in `maxConcurrency` loops, invokes the
 * function with a batch, deletes every message except those reported in `batchItemFailures`
 * (all of them when the invocation throws). Undeleted messages return after the visibility timeout,
 * and the queue's redrive policy moves them to the DLQ after maxReceiveCount receives.
 */
export function startSqsEventSource(opts: SqsEventSourceOptions): EventSource {
  let running = true;
  const loops = Array.from({ length: opts.maxConcurrency }, async () => {
    while (running) {
      try {
        await pollOnce(opts);
      } catch (error) {
        if (running) opts.onError(error);
      }
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function receive(opts: SqsEventSourceOptions, max: number): Promise<Message[]> {
  const { Messages = [] } = await opts.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: opts.queueUrl,
      MaxNumberOfMessages: Math.min(max, SQS_RECEIVE_LIMIT),
      WaitTimeSeconds: WAIT_SECONDS,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages;
}

async function pollOnce(opts: SqsEventSourceOptions): Promise<void> {
  const Messages = await receive(opts, opts.batchSize);
  if (Messages.length === 0) return;
  const windowEnds = Date.now() + opts.maxBatchingWindowSeconds * 1000;
  while (Messages.length < opts.batchSize && Date.now() < windowEnds) Messages.push(...(await receive(opts, opts.batchSize - Messages.length)));
  const records = Messages.map((m) => toRecord(m, opts.queueArn));
  let failed: Set<string>;
  try {
    const response = await opts.invoke({ Records: records });
    failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  } catch (error) {
    opts.onError(error);
    return; // the whole batch comes back after the visibility timeout
  }
  const done = Messages.filter((m) => !failed.has(m.MessageId ?? ''));
  if (done.length === 0) return;
  await opts.sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: opts.queueUrl,
      Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
    }),
  );
}

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}
