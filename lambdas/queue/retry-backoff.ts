import { GraphError } from '../graph/graph-error';

/** Capped exponential backoff with jitter for create messages that failed (DESIGN.md §5). */
export const RETRY_BACKOFF = {
  baseSeconds: 2,
  /** Below the queue's visibility timeout, so a deferred retry never comes later than an undeferred one. */
  maxSeconds: 150,
  /** Graph throttled us: wait at least this long, or what its usage headers say. */
  throttledMinSeconds: 60,
} as const;

/** A message that can never be processed: it goes to the DLQ without waiting between receives. */
export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
}

/**
 * Seconds until a failed message is received again: 0 for a malformed message; else
 * `base × 2^(receives-1)` capped, with equal jitter so that messages that failed together do not
 * come back together, and never before the error's own `retryAfterSeconds` (Graph's estimate when
 * throttled, the settling time of a create without an answer) or the throttling minimum.
 */
export function retryDelaySeconds(error: unknown, receiveCount: number, random: () => number = Math.random): number {
  if (error instanceof MalformedMessageError) return 0;
  const exponential = Math.min(RETRY_BACKOFF.maxSeconds, RETRY_BACKOFF.baseSeconds * 2 ** Math.max(0, receiveCount - 1));
  const jittered = Math.ceil(exponential / 2 + (random() * exponential) / 2);
  const throttled = error instanceof GraphError && error.errorClass === 'throttled' ? RETRY_BACKOFF.throttledMinSeconds : 0;
  const asked = Number((error as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds) || 0;
  return Math.min(RETRY_BACKOFF.maxSeconds, Math.max(jittered, throttled, asked));
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
