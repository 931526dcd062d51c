import { ChangeMessageVisibilityBatchCommand, GetQueueAttributesCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueMessage } from './create-solution-message';

/** SQS accepts at most 10 entries per SendMessageBatch and ChangeMessageVisibilityBatch. */
const SQS_BATCH_LIMIT = 10;

/** When received messages of any queue come back (0: at once); the SQS error codes of the ones that could not be changed. */
export async function setRedelivery(sqs: SQSClient, queueUrl: string, entries: readonly DeferredRedelivery[]): Promise<string[]> {
  const problems: string[] = [];
  for (let start = 0; start < entries.length; start += SQS_BATCH_LIMIT) {
    const chunk = entries.slice(start, start + SQS_BATCH_LIMIT);
    const { Failed = [] } = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((e, i) => ({ Id: String(i), ReceiptHandle: e.receiptHandle, VisibilityTimeout: e.delaySeconds })) }),
    );
    problems.push(...Failed.map((f) => f.Code ?? 'unknown'));
  }
  return problems;
}

/** What a message is about, for errors: its app, or the onboarding it verifies. Never its token. */
const messageSubject = (message: QueueMessage | undefined) => (message === undefined ? '?' : message.kind === 'verify' ? `verify ${message.onboardingId}` : message.appId);

export interface CreateSolutionQueue {
  /** Sends the messages, delivered after `delaySeconds` (0 to 900). */
  send(messages: readonly QueueMessage[], delaySeconds?: number): Promise<void>;
}

export interface DeferredRedelivery {
  receiptHandle: string;
  delaySeconds: number;
}

export class SqsCreateSolutionQueue implements CreateSolutionQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(messages: readonly QueueMessage[], delaySeconds = 0): Promise<void> {
    for (let start = 0; start < messages.length; start += SQS_BATCH_LIMIT) {
      const chunk = messages.slice(start, start + SQS_BATCH_LIMIT);
      const { Failed = [] } = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((message, i) => ({ Id: String(i), MessageBody: JSON.stringify(message), DelaySeconds: delaySeconds })),
        }),
      );
      if (Failed.length > 0) {
        // Entry errors carry an SQS code only, never the body: safe to surface.
        const codes = Failed.map((f) => `${messageSubject(chunk[Number(f.Id)])}: ${f.Code}`).join(', ');
        throw new Error(`SQS rejected ${Failed.length} create-solution message(s): ${codes}`);
      }
    }
  }

  /**
   * Sets when failed messages come back (their visibility timeout). Best effort: a message whose
   * change fails simply returns after the queue's default visibility timeout.
   */
  deferRedelivery(entries: readonly DeferredRedelivery[]): Promise<string[]> {
    return setRedelivery(this.sqs, this.queueUrl, entries);
  }

  /**
   * Whether messages wait to be received (SQS's approximate count of visible messages): a message in
   * a backlog is late, not lost. Messages in flight or delayed have told their item when they return.
   */
  async hasBacklog(): Promise<boolean> {
    const { Attributes = {} } = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    return Number(Attributes.ApproximateNumberOfMessages ?? 0) > 0;
  }
}
