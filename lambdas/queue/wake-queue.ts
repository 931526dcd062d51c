import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { SCHEDULE } from '../schedule';
import { parseMessageBody } from './retry-backoff';

/**
 * Wake-ups: a delayed message that brings a retry scheduled on its record (`nextAttemptAt`) to its
 * function when it is due (schedule.ts `wakeQueues`). It carries no secret, only the item's keys and
 * the due time, which fences it: the attempt it starts claims the item only while that retry is due.
 */
const dueAt = z.iso.datetime();
export const acceptWakeSchema = z.object({ kind: z.literal('accept'), onboardingId: z.string().min(1), appId: z.string().min(1), dueAt });
export const shareWakeSchema = z.object({ kind: z.literal('share'), solutionId: z.string().min(1), wabaId: z.string().min(1), dueAt });
export type AcceptWake = z.infer<typeof acceptWakeSchema>;
export type ShareWake = z.infer<typeof shareWakeSchema>;
type WakeKinds = { accept: AcceptWake; share: ShareWake };
const WAKE_SCHEMAS: { [K in keyof WakeKinds]: z.ZodType<WakeKinds[K]> } = { accept: acceptWakeSchema, share: shareWakeSchema };

/** Seconds until `dueAt`, rounded up (SQS delays in whole seconds; never early), at most SQS's longest delay. */
export function wakeDelaySeconds(due: string, now: Date): number {
  const seconds = Math.ceil((Date.parse(due) - now.getTime()) / 1000);
  return Math.min(SCHEDULE.wakeQueues.maxDelaySeconds, Math.max(0, seconds));
}

/** One function's wake queue, of one kind of wake-up: sends them, and takes them when they come. */
export class SqsWakeQueue<K extends keyof WakeKinds> {
  private readonly schema: z.ZodType<WakeKinds[K]>;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly kind: K,
    private readonly clock: () => Date,
  ) {
    this.schema = WAKE_SCHEMAS[kind];
  }

  /** The domain's wake port: a wake-up for the item (its keys), due at `at`. */
  readonly wake = (item: Omit<WakeKinds[K], 'kind' | 'dueAt'>, at: Date): Promise<void> =>
    this.send({ ...item, kind: this.kind, dueAt: at.toISOString() } as WakeKinds[K]);

  /** Delivered at `wake.dueAt`, or after SQS's longest delay when that is later (then sent again: `due`). */
  private async send(wake: WakeKinds[K]): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(wake), DelaySeconds: wakeDelaySeconds(wake.dueAt, this.clock()) }));
  }

  /**
   * The wake-up a message carries once it is due; undefined when it came early (a due time past
   * SQS's longest delay), after sending it again for the rest of its wait. A body that is not a wake-up
   * throws (naming only the message): its receives end it in the wake DLQ.
   */
  async due(record: SQSRecord): Promise<WakeKinds[K] | undefined> {
    const wake = parseMessageBody(record, this.schema, 'wake-up');
    if (Date.parse(wake.dueAt) <= this.clock().getTime()) return wake;
    await this.send(wake);
    return undefined;
  }
}
