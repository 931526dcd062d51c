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
 * Seconds until a failed message is received again: 0 for a malformed message, at least Graph's
 * own estimate when throttled, else `base × 2^(receives-1)` capped, with equal jitter so that
 * messages that failed together do not come back together.
 */
export function retryDelaySeconds(error: unknown, receiveCount: number, random: () => number = Math.random): number {
  if (error instanceof MalformedMessageError) return 0;
  const exponential = Math.min(RETRY_BACKOFF.maxSeconds, RETRY_BACKOFF.baseSeconds * 2 ** Math.max(0, receiveCount - 1));
  const jittered = Math.ceil(exponential / 2 + (random() * exponential) / 2);
  if (error instanceof GraphError && error.errorClass === 'throttled') {
    return Math.min(RETRY_BACKOFF.maxSeconds, Math.max(jittered, RETRY_BACKOFF.throttledMinSeconds, error.retryAfterSeconds ?? 0));
  }
  return jittered;
}
