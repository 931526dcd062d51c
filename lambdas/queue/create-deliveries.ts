import type { SQSRecord } from 'aws-lambda';
import { GraphError } from '../graph/graph-error';
import { askOf, retryDelaySeconds, type RetryAsk } from '../domain/retry-policy';
import type { RetryPolicy, Schedule } from '../schedule';
import type { RecordStore } from '../domain/records/record-store';
import { queueMessageSchema, type CreateSolutionMessage, type QueueMessage } from './create-solution-message';
import type { SqsCreateSolutionQueue } from './create-solution-queue';
import { busyDeferralSeconds, MalformedMessageError, parseMessageBody } from './retry-backoff';

export interface CreateDeliveriesDeps {
  queue: Pick<SqsCreateSolutionQueue, 'send' | 'deferRedelivery'>;
  store: Pick<RecordStore, 'recordWaiting' | 'recordNoMoreDeliveries' | 'recordVerifyWaiting'>;
  /** The queue's redrive policy: the receive after which a failing message goes to the DLQ. */
  maxReceiveCount: number;
  /** The schedule's (schedule.ts): the create backoff by receive count, and how a busy solution's message is put back. */
  redelivery: { backoff: RetryPolicy; busyDeferrals: Schedule['busyDeferrals'] };
  clock: () => Date;
  /** A best-effort step failed: the delivery's own outcome matters more, so it is only reported. */
  warn: (message: string, error: unknown) => void;
  random?: () => number;
}

/**
 * The create queue's redelivery policy for one batch of messages: when a failed message comes back
 * (its backoff, not the queue's whole visibility timeout), how a message waits for a busy solution
 * without using up its receives, and what its record is told about either, so that the reconciler
 * neither settles an item whose message is alive nor waits for one that is gone. A verify message
 * tells its VERIFYING onboarding when it comes back, and Graph's error; on its last delivery it tells
 * nothing: the check itself ended the onboarding (verify-onboarding.ts), or the reconciler does once
 * the token's lifetime is over.
 */
export class CreateDeliveries {
  private readonly retryDelays = new Map<string, number>();

  constructor(private readonly deps: CreateDeliveriesDeps) {}

  /** Its receives are used up: if this attempt fails, the message goes to the DLQ. */
  isLastDelivery(record: SQSRecord): boolean {
    return Number(record.attributes.ApproximateReceiveCount) >= this.deps.maxReceiveCount;
  }

  /**
   * Waiting for another attempt's solution is not failing: the message goes back as a new one, with a
   * delay, so that waiting does not use up its receives (and land it in the DLQ while the holder is
   * still legitimately retrying). Past `busyDeferrals.max` it fails like any other message (undefined):
   * see `busyTooLong`.
   */
  async deferWhileBusy(message: CreateSolutionMessage, retryAfterSeconds: number): Promise<{ delaySeconds: number; deferrals: number } | undefined> {
    const { busyDeferrals } = this.deps.redelivery;
    const deferrals = message.deferrals ?? 0;
    if (deferrals >= busyDeferrals.max) return undefined;
    const delaySeconds = busyDeferralSeconds(busyDeferrals, retryAfterSeconds, deferrals, this.deps.random);
    await this.deps.queue.send([{ ...message, deferrals: deferrals + 1 }], delaySeconds);
    await this.noteRedelivery(message, false, delaySeconds);
    return { delaySeconds, deferrals: deferrals + 1 };
  }

  /** The attempt scheduled its retry on the record (domain/create-solution.ts): the message comes back exactly then. */
  retryScheduled(record: SQSRecord, delaySeconds: number): void {
    this.retryDelays.set(record.receiptHandle, delaySeconds);
  }

  /**
   * A delivery failed before or around its attempt (`message` when it could be read): a malformed
   * message comes back at once, to reach the DLQ without waiting; any other after the create backoff
   * by receive count, never before what the error asks (a throttle's estimate). Its record is told when.
   */
  async failed(record: SQSRecord, message: QueueMessage | undefined, error: unknown): Promise<void> {
    if (error instanceof MalformedMessageError) this.retryDelays.set(record.receiptHandle, 0);
    else await this.redeliverAfterBackoff(record, message, askOf(error), error);
  }

  /** A solution still busy past the deferrals: the message fails like any other, never back before the holder's estimate. */
  async busyTooLong(record: SQSRecord, message: CreateSolutionMessage, retryAfterSeconds: number): Promise<void> {
    await this.redeliverAfterBackoff(record, message, { retryAfterSeconds });
  }

  private async redeliverAfterBackoff(record: SQSRecord, message: QueueMessage | undefined, ask: RetryAsk, error?: unknown): Promise<void> {
    const delaySeconds = retryDelaySeconds(this.deps.redelivery.backoff, Number(record.attributes.ApproximateReceiveCount), ask, this.deps.random);
    this.retryDelays.set(record.receiptHandle, delaySeconds);
    if (message) await this.noteRedelivery(message, this.isLastDelivery(record), delaySeconds, error);
  }

  /** Once the batch is done: failed messages come back after their backoff. Best effort: otherwise the visibility timeout applies. */
  async applyRetryDelays(): Promise<void> {
    if (this.retryDelays.size === 0) return;
    const entries = [...this.retryDelays].map(([receiptHandle, delaySeconds]) => ({ receiptHandle, delaySeconds }));
    const problems = await this.deps.queue.deferRedelivery(entries).catch((error: unknown) => [String(error)]);
    if (problems.length > 0) this.deps.warn('could not set the retry backoff; the queue visibility timeout applies', problems);
  }

  /** When this message comes back (a waiting item), or on its last delivery that none follows. Best effort. */
  private async noteRedelivery(message: QueueMessage, lastDelivery: boolean, delaySeconds: number, error?: unknown): Promise<void> {
    const { store, clock } = this.deps;
    const now = clock();
    const at = new Date(now.getTime() + delaySeconds * 1000);
    let noted: Promise<unknown>;
    if (message.kind === 'verify') {
      if (lastDelivery) return;
      noted = store.recordVerifyWaiting(message.onboardingId, at, error instanceof GraphError ? error.details : undefined, now);
    } else {
      noted = lastDelivery ? store.recordNoMoreDeliveries(message.onboardingId, message.appId) : store.recordWaiting(message.onboardingId, message.appId, at);
    }
    await noted.catch((problem: unknown) => this.deps.warn('could not note the redelivery on the record', problem));
  }
}

/** The message (a create, or a verify), or a MalformedMessageError naming only its ID. */
export function parseQueueMessage(record: SQSRecord): QueueMessage {
  return parseMessageBody(record, queueMessageSchema, 'create-solution');
}
