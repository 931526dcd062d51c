import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSolutionMessageSchema, type CreateSolutionMessage } from '../lambdas/queue/create-solution-message';
import { setRedelivery, SqsCreateSolutionQueue } from '../lambdas/queue/create-solution-queue';
import type { ParkedCreates } from '../lambdas/domain/retry-solution';

/** A message taken off a dead-letter queue for the time of one command. Its body is never printed. */
export interface ParkedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
}

/** How long the messages of one command stay hidden from anyone else reading the queue. */
const HOLD_SECONDS = 120;
/** A bound on one command's reading: 100 receives of 10 messages. */
const MAX_RECEIVES = 100;

/**
 * The messages of a dead-letter queue (up to 1,000: `more` says some were left for another run),
 * each hidden from other readers for two minutes while the command works on it; `release` shows the
 * ones it left again at once.
 */
export async function takeAll(sqs: SQSClient, queueUrl: string): Promise<{ messages: ParkedMessage[]; more: boolean }> {
  const messages: ParkedMessage[] = [];
  for (let receive = 0; receive < MAX_RECEIVES; receive++) {
    // A short wait: SQS's short polling may answer empty from a sample of its servers while messages remain.
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: HOLD_SECONDS }));
    if (Messages.length === 0) return { messages, more: false };
    for (const m of Messages) messages.push({ messageId: m.MessageId ?? '', receiptHandle: m.ReceiptHandle ?? '', body: m.Body ?? '' });
  }
  return { messages, more: true };
}

/** Shows messages to other readers again at once (one that cannot be shown comes back when its hold ends). */
export async function release(sqs: SQSClient, queueUrl: string, messages: readonly ParkedMessage[]): Promise<void> {
  await setRedelivery(sqs, queueUrl, messages.map((m) => ({ receiptHandle: m.receiptHandle, delaySeconds: 0 })));
}

export const remove = (sqs: SQSClient, queueUrl: string, message: ParkedMessage) => sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.receiptHandle }));

/** A parked create message, read: its item and the message as the create worker takes it (nothing else it may carry). */
export interface ParkedCreate {
  parked: ParkedMessage;
  message: CreateSolutionMessage | undefined;
}

function readCreate(parked: ParkedMessage): ParkedCreate {
  let json: unknown;
  try {
    json = JSON.parse(parked.body);
  } catch {
    return { parked, message: undefined };
  }
  const result = createSolutionMessageSchema.safeParse(json);
  return { parked, message: result.success ? result.data : undefined };
}

const itemKey = (item: { onboardingId: string; appId: string }) => `${item.onboardingId}/${item.appId}`;

/**
 * The create DLQ's messages for the retry rule (domain/retry-solution.ts): looked up by item, put back
 * on the create queue as a new message (its receives start again), then deleted from the DLQ.
 */
export class ParkedCreateMessages implements ParkedCreates {
  private readonly byItem = new Map<string, ParkedCreate>();
  /** Messages moved back to the create queue. */
  private readonly requeued = new Set<ParkedCreate>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly queues: { create: string; createDlq: string },
    readonly all: readonly ParkedCreate[],
    /** More messages wait beyond the ones taken. */
    readonly more: boolean,
  ) {
    for (const parked of all) if (parked.message) this.byItem.set(itemKey(parked.message), parked);
  }

  static async take(sqs: SQSClient, queues: { create: string; createDlq: string }): Promise<ParkedCreateMessages> {
    const { messages, more } = await takeAll(sqs, queues.createDlq);
    return new ParkedCreateMessages(sqs, queues, messages.map(readCreate), more);
  }

  has(item: { onboardingId: string; appId: string }): boolean {
    return this.byItem.has(itemKey(item));
  }

  async requeue(item: { onboardingId: string; appId: string }): Promise<void> {
    const parked = this.byItem.get(itemKey(item));
    if (!parked?.message) throw new Error(`no parked create message for ${itemKey(item)}`);
    await this.move(parked);
  }

  /** Sends the message as the worker reads it (a fresh count of deferrals), then deletes the parked one. */
  async move(parked: ParkedCreate): Promise<void> {
    if (!parked.message) throw new Error(`message ${parked.parked.messageId} is not a create message`);
    const { onboardingId, appId, accessToken } = parked.message;
    await new SqsCreateSolutionQueue(this.sqs, this.queues.create).send([{ onboardingId, appId, accessToken, deferrals: 0 }]);
    await remove(this.sqs, this.queues.createDlq, parked.parked);
    this.requeued.add(parked);
  }

  /** Shows every message not moved to other readers again. */
  release(): Promise<void> {
    return release(
      this.sqs,
      this.queues.createDlq,
      this.all.filter((p) => !this.requeued.has(p)).map((p) => p.parked),
    );
  }
}
