import type { Schedule } from '../schedule';

/** A message that can never be processed: it goes to the DLQ without waiting between receives. */
export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
}

/**
 * Seconds a message for a busy solution waits as a new message: the holder's own estimate, growing
 * with each deferral, with jitter, at most what SQS allows (`busyDeferrals.maxDelaySeconds`).
 */
export function busyDeferralSeconds(busyDeferrals: Schedule['busyDeferrals'], retryAfterSeconds: number, deferrals: number, random: () => number = Math.random): number {
  const wait = Math.max(retryAfterSeconds, 2 ** deferrals);
  return Math.min(busyDeferrals.maxDelaySeconds, Math.ceil(wait * (1 + random() / 4)));
}
