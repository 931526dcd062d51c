// Follows an onboarding until every app is final: its login checked (no longer VERIFYING) and every
// solution settled (no longer IN_PROGRESS).

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 10_000;
const GROWTH = 1.5;
/** Failed polls in a row (network, 429, 5xx) before the page stops and offers to check again. */
const MAX_FAILURES = 6;
/** Onboarding statuses that still move on their own (docs/design.md §3). */
const MOVING = new Set(['VERIFYING', 'IN_PROGRESS']);

/**
 * Polls `getOnboarding` with backoff: right after a change more is likely to follow soon, so the
 * delay starts over; the longer nothing moves, the less often it asks. A transient failure waits at
 * least as long as the server's `Retry-After`. Resolves with the settled onboarding.
 */
export async function follow(getOnboarding, { onUpdate, onTrouble }) {
  let delay = FIRST_DELAY_MS;
  let failures = 0;
  let lastStatuses = '';
  for (;;) {
    let wait;
    try {
      const onboarding = await getOnboarding();
      failures = 0;
      onUpdate(onboarding);
      if (!MOVING.has(onboarding.status)) return onboarding;
      const statuses = [onboarding.status, ...onboarding.solutions.map((s) => s.status)].join();
      delay = statuses === lastStatuses ? Math.min(delay * GROWTH, MAX_DELAY_MS) : FIRST_DELAY_MS;
      lastStatuses = statuses;
      wait = delay;
    } catch (error) {
      failures += 1;
      if (!error.isTransient || failures >= MAX_FAILURES) throw error;
      delay = Math.min(delay * GROWTH, MAX_DELAY_MS);
      wait = Math.max(delay, (error.retryAfterSeconds ?? 0) * 1000);
      onTrouble(Math.ceil(wait / 1000));
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
