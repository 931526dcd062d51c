import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { postRetryWaitMs } from '../web/api.js';

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
 * Starts an onboarding as the page does. `retry: false` measures one bare request (intake latency);
 * `retry: true` posts again as the page does (its own policy, web/api.js), so that a burst's
 * refusals are the ones a Tech Provider would see.
 */
export async function postOnboarding(httpBase: string, accessToken: string, opts: { retry: boolean }): Promise<PostOutcome> {
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    const answer = await postOnce(httpBase, accessToken);
    const waitMs: number | undefined = opts.retry && !answer.onboardingId ? postRetryWaitMs(answer, attempt - 1) : undefined;
    if (waitMs === undefined) {
      return { status: answer.status, ms: performance.now() - started, attempts: attempt, ...(answer.onboardingId ? { onboardingId: answer.onboardingId } : {}) };
    }
    await sleep(waitMs);
  }
}

async function postOnce(httpBase: string, accessToken: string): Promise<{ status: number; code?: string; onboardingId?: string; retryAfterSeconds?: number }> {
  try {
    const response = await fetch(`${httpBase}/api/onboardings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessToken }) });
    const body = (await response.json().catch(() => undefined)) as { onboardingId?: string; error?: { code?: string } } | undefined;
    return { status: response.status, code: body?.error?.code, onboardingId: response.ok ? body?.onboardingId : undefined, retryAfterSeconds: Number(response.headers.get('retry-after')) || undefined };
  } catch {
    return { status: 0 };
  }
}
