import { GraphError } from '../graph/graph-error';
import type { RetryPolicy } from '../schedule';

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
