import { askOf, CREATE_RETRY, retryDelaySeconds } from '../domain/retry-policy';

/** A message that can never be processed: it goes to the DLQ without waiting between receives. */
export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
}

/**
 * Seconds until a failed create message is received again: 0 for a malformed message; the wait the
 * create attempt scheduled on its record (`scheduledRetrySeconds`) when it got that far; otherwise
 * (a failure before or around the attempt, such as a DynamoDB error) the create backoff by receive count.
 */
export function redeliveryDelaySeconds(error: unknown, receiveCount: number, random: () => number = Math.random): number {
  if (error instanceof MalformedMessageError) return 0;
  const scheduled = (error as { scheduledRetrySeconds?: unknown } | null)?.scheduledRetrySeconds;
  if (typeof scheduled === 'number') return scheduled;
  return retryDelaySeconds(CREATE_RETRY, receiveCount, askOf(error), random);
}

/** Times a message may be put back for a busy solution before it counts as failing (about 45 min in all). */
export const MAX_BUSY_DEFERRALS = 12;

/**
 * Seconds a message for a busy solution waits as a new message (SQS allows up to 900): the
 * holder's own estimate, growing with each deferral, with jitter.
 */
export function busyDeferralSeconds(retryAfterSeconds: number, deferrals: number, random: () => number = Math.random): number {
  const wait = Math.max(retryAfterSeconds, 2 ** deferrals);
  return Math.min(SQS_MAX_DELAY_SECONDS, Math.ceil(wait * (1 + random() / 4)));
}

const SQS_MAX_DELAY_SECONDS = 900;
