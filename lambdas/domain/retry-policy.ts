import { GraphError } from '../graph/graph-error';

/** How one step retries: capped exponential backoff with jitter, never sooner than Graph asks. */
export interface RetryPolicy {
  /** The first retry's step; each later one doubles it. */
  baseSeconds: number;
  /** Where the doubling stops. */
  maxSeconds: number;
  /**
   * A throttle that asks no wait at all: at least this long. The Graph client always gives one
   * (Graph's estimate, or its pacer's hold), so this holds for a throttled error made elsewhere.
   */
  throttledMinSeconds: number;
  /** The longest wait honoured from Graph's own estimate (Retry-After, usage headers) or a settling create. */
  maxAskedSeconds: number;
}

/**
 * Create attempts ride on their SQS message (its visibility, which may be set up to 12 hours): the
 * message's receives bound them (CREATE_QUEUE.maxReceiveCount), so that the Tech Provider's token,
 * which expires within hours, is used while it lasts.
 */
export const CREATE_RETRY: RetryPolicy = { baseSeconds: 2, maxSeconds: 900, throttledMinSeconds: 60, maxAskedSeconds: 900 };

/**
 * Accept attempts are scheduled on the record (`nextAttemptAt`) and picked up by the reconciler, for
 * the whole retry period (ACCEPT_RETRY_PERIOD_SECONDS, a day by default): the doubling stops at a
 * quarter of an hour, and a throttle's estimate is honoured up to an hour.
 */
export const ACCEPT_RETRY: RetryPolicy = { baseSeconds: 10, maxSeconds: 900, throttledMinSeconds: 60, maxAskedSeconds: 3600 };

/** What the failure itself asks for: Graph throttled us, and how long Graph (or a settling create) says to wait. */
export interface RetryAsk {
  throttled?: boolean;
  retryAfterSeconds?: number;
}

/** The ask of any error: a throttling GraphError, and its (or any error's) `retryAfterSeconds`. */
export function askOf(error: unknown): RetryAsk {
  const retryAfterSeconds = Number((error as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds) || undefined;
  return { throttled: error instanceof GraphError && error.errorClass === 'throttled', retryAfterSeconds };
}

/**
 * Seconds until attempt `attempt + 1`, after attempt `attempt` (1-based) failed:
 * `base × 2^(attempt-1)` capped, with equal jitter so that attempts that failed together do not come
 * back together, and never before what the failure asks (Graph's estimate when throttled, the
 * settling time of a create without an answer). A throttle that comes with no estimate waits the
 * throttling minimum; one with an estimate waits what Graph says, shorter or longer.
 */
export function retryDelaySeconds(policy: RetryPolicy, attempt: number, ask: RetryAsk = {}, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.ceil(exponential / 2 + (random() * exponential) / 2);
  const asked = Math.min(policy.maxAskedSeconds, ask.retryAfterSeconds ?? 0);
  const throttled = ask.throttled && !asked ? policy.throttledMinSeconds : 0;
  return Math.max(jittered, throttled, asked);
}
