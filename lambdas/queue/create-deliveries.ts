import type { SQSRecord } from 'aws-lambda';
import { CreateRetryScheduled, type SolutionBusyError } from '../domain/create-solution';
import type { RecordStore } from '../domain/records/record-store';
import { createSolutionMessageSchema, type CreateSolutionMessage } from './create-solution-message';
import type { SqsCreateSolutionQueue } from './create-solution-queue';
import { busyDeferralSeconds, MalformedMessageError, MAX_BUSY_DEFERRALS, redeliveryDelaySeconds } from './retry-backoff';

export interface CreateDeliveriesDeps {
  queue: Pick<SqsCreateSolutionQueue, 'send' | 'deferRedelivery'>;
  store: Pick<RecordStore, 'recordWaiting' | 'recordNoMoreDeliveries'>;
  /** The queue's redrive policy: the receive after which a failing message goes to the DLQ. */
  maxReceiveCount: number;
  clock: () => Date;
  /** A best-effort step failed: the delivery's own outcome matters more, so it is only reported. */
  warn: (message: string, error: unknown) => void;
  random?: () => number;
}

/**
 * The create queue's redelivery policy for one batch of messages: when a failed message comes back
 * (its backoff, not the queue's whole visibility timeout), how a message waits for a busy solution
 * without using up its receives, and what its record is told about either, so that the reconciler
 * neither settles an item whose message is alive nor waits for one that is gone.
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
   * still legitimately retrying). Past MAX_BUSY_DEFERRALS it fails like any other message (undefined).
   */
  async deferWhileBusy(message: CreateSolutionMessage, busy: SolutionBusyError): Promise<{ delaySeconds: number; deferrals: number } | undefined> {
    const deferrals = message.deferrals ?? 0;
    if (deferrals >= MAX_BUSY_DEFERRALS) return undefined;
    const delaySeconds = busyDeferralSeconds(busy.retryAfterSeconds, deferrals, this.deps.random);
    await this.deps.queue.send([{ ...message, deferrals: deferrals + 1 }], delaySeconds);
    await this.noteRedelivery(message, false, delaySeconds);
    return { delaySeconds, deferrals: deferrals + 1 };
  }

  /**
   * A delivery failed (`message` when it could be read): it comes back after its backoff, and its
   * record is told when, unless the attempt got as far as noting its retry itself.
   */
  async failed(record: SQSRecord, message: CreateSolutionMessage | undefined, error: unknown): Promise<void> {
    const delaySeconds = redeliveryDelaySeconds(error, Number(record.attributes.ApproximateReceiveCount), this.deps.random);
    this.retryDelays.set(record.receiptHandle, delaySeconds);
    if (message && !(error instanceof CreateRetryScheduled)) await this.noteRedelivery(message, this.isLastDelivery(record), delaySeconds);
  }

  /** Once the batch is done: failed messages come back after their backoff. Best effort: otherwise the visibility timeout applies. */
  async applyRetryDelays(): Promise<void> {
    if (this.retryDelays.size === 0) return;
    const entries = [...this.retryDelays].map(([receiptHandle, delaySeconds]) => ({ receiptHandle, delaySeconds }));
    const problems = await this.deps.queue.deferRedelivery(entries).catch((error: unknown) => [String(error)]);
    if (problems.length > 0) this.deps.warn('could not set the retry backoff; the queue visibility timeout applies', problems);
  }

  /** When this message comes back (a waiting item), or on its last delivery that none follows. Best effort. */
  private async noteRedelivery(message: CreateSolutionMessage, lastDelivery: boolean, delaySeconds: number): Promise<void> {
    const { store, clock } = this.deps;
    const noted = lastDelivery
      ? store.recordNoMoreDeliveries(message.onboardingId, message.appId)
      : store.recordWaiting(message.onboardingId, message.appId, new Date(clock().getTime() + delaySeconds * 1000));
    await noted.catch((error: unknown) => this.deps.warn('could not note the redelivery on the record', error));
  }
}

/** The message, or a MalformedMessageError naming only its ID: the body may hold a token, and is never echoed. */
export function parseCreateMessage(record: SQSRecord): CreateSolutionMessage {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  const parsed = createSolutionMessageSchema.safeParse(body);
  // Redelivery ends it in the DLQ, which alarms.
  if (!parsed.success) throw new MalformedMessageError(`malformed create-solution message ${record.messageId}`);
  return parsed.data;
}
