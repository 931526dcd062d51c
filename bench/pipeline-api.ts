import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** How one `POST /api/onboardings` went, as its client saw it. */
export interface PostOutcome {
  /** The last answer's HTTP status; 0 when the gateway could not be reached. */
  status: number;
  /** From the first attempt to the last answer, ms. */
  ms: number;
  attempts: number;
  onboardingId?: string;
}

/**
 * The page's own retry policy (web/api.js): no answer, a 5xx meaning "nothing was set up", or a 429
 * GRAPH_THROTTLED whose Retry-After is within the last wait, is posted again after 1, 2, 4 s (longer
 * if the server asks, up to the last wait); any other 429 is shown to the Tech Provider, not retried.
 */
const RETRIED_STATUSES = new Set([0, 500, 503, 504]);
const RETRY_WAITS_MS = [1_000, 2_000, 4_000];

const isRetried = (answer: { status: number; code?: string; retryAfterSeconds: number }) =>
  RETRIED_STATUSES.has(answer.status) ||
  (answer.status === 429 && answer.code === 'GRAPH_THROTTLED' && answer.retryAfterSeconds > 0 && answer.retryAfterSeconds * 1000 <= RETRY_WAITS_MS.at(-1)!);

/**
 * Starts an onboarding as the page does. `retry: false` measures one bare request (intake latency);
 * `retry: true` behaves as the page, so a burst's refusals are the ones a Tech Provider would see.
 */
export async function postOnboarding(httpBase: string, accessToken: string, opts: { retry: boolean }): Promise<PostOutcome> {
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    const answer = await postOnce(httpBase, accessToken);
    const wait = RETRY_WAITS_MS[attempt - 1];
    if (!opts.retry || !isRetried(answer) || wait === undefined) {
      return { status: answer.status, ms: performance.now() - started, attempts: attempt, ...(answer.onboardingId ? { onboardingId: answer.onboardingId } : {}) };
    }
    await sleep(Math.min(Math.max(wait, answer.retryAfterSeconds * 1000), RETRY_WAITS_MS.at(-1)!));
  }
}

async function postOnce(httpBase: string, accessToken: string): Promise<{ status: number; code?: string; onboardingId?: string; retryAfterSeconds: number }> {
  try {
    const response = await fetch(`${httpBase}/api/onboardings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessToken }) });
    const body = (await response.json().catch(() => undefined)) as { onboardingId?: string; error?: { code?: string } } | undefined;
    return { status: response.status, code: body?.error?.code, onboardingId: response.ok ? body?.onboardingId : undefined, retryAfterSeconds: Number(response.headers.get('retry-after')) || 0 };
  } catch {
    return { status: 0, retryAfterSeconds: 0 };
  }
}
