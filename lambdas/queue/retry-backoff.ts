import type { SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import type { Schedule } from '../schedule';

/** A message that can never be processed: it goes to the DLQ without waiting between receives. */
export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
}

/**
 * A queue message's body read by its schema, or a MalformedMessageError naming only the message (`what`
 * and its ID): a body may hold a token, and is never echoed. Redelivery ends it in its DLQ, which alarms.
 */
export function parseMessageBody<S extends z.ZodType>(record: SQSRecord, schema: S, what: string): z.output<S> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new MalformedMessageError(`malformed ${what} message ${record.messageId}`);
  return parsed.data;
}

/**
 * Seconds a message for a busy solution waits as a new message: the holder's own estimate, growing
 * with each deferral, with jitter, at most what SQS allows (`busyDeferrals.maxDelaySeconds`).
 */
export function busyDeferralSeconds(busyDeferrals: Schedule['busyDeferrals'], retryAfterSeconds: number, deferrals: number, random: () => number = Math.random): number {
  const wait = Math.max(retryAfterSeconds, 2 ** deferrals);
  return Math.min(busyDeferrals.maxDelaySeconds, Math.ceil(wait * (1 + random() / 4)));
}
