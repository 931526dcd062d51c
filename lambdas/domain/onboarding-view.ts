import { type Onboarding, type SolutionRecord } from './records';
import { onboardingStatus, type OnboardingStatus } from './solution-status';
import { UNSETTLED } from './status-sets';

/**
 * An onboarding's status: VERIFYING while its token's check waits for Graph, FAILED when that check
 * failed, else derived from its solutions.
 */
export function onboardingStatusOf({ onboarding, solutions }: Onboarding): OnboardingStatus {
  if (onboarding.status === 'VERIFYING') return 'VERIFYING';
  if (onboarding.status === 'VERIFY_FAILED') return 'FAILED';
  return onboardingStatus(solutions);
}

/** The public shape of `POST /api/onboardings` (docs/design.md §3): `apps` stays empty while VERIFYING. */
export function onboardingAccepted(started: Onboarding, statusUrl: string) {
  const { onboarding } = started;
  return {
    onboardingId: onboarding.onboardingId,
    statusUrl,
    apps: onboarding.apps.map(({ appId, name }) => ({ appId, name })),
    status: onboardingStatusOf(started),
  };
}

/** How many businesses joined through a solution and are still with it (the clients' store's `countJoined`). */
export type JoinedClients = (solutionId: string) => Promise<number>;

/**
 * The public shape of `GET /api/onboardings/{onboardingId}` (docs/design.md §3). A solution with an
 * ID also says how many businesses joined through it (`clients`): one count per solution, read together.
 */
export async function onboardingStatusView(found: Onboarding, joinedClients: JoinedClients) {
  const { onboarding, solutions } = found;
  const clients = await Promise.all(solutions.map((s) => (s.solutionId ? joinedClients(s.solutionId) : undefined)));
  return {
    onboardingId: onboarding.onboardingId,
    status: onboardingStatusOf(found),
    createdAt: onboarding.createdAt,
    // Its token's check failed: why, as the POST would have answered (the solutions are none).
    ...(onboarding.verifyError ? { error: { code: onboarding.verifyError.code, message: onboarding.verifyError.message } } : {}),
    solutions: solutions.map((s, i) => ({
      appId: s.appId,
      appName: s.appName,
      solutionName: s.solutionName,
      ...(s.solutionId ? { solutionId: s.solutionId, clients: clients[i] ?? 0 } : {}),
      status: s.status,
      ...(s.lastError && (s.status === 'CREATE_FAILED' || s.status === 'ACCEPT_FAILED') ? { error: s.lastError } : {}),
      ...retrying(s),
    })),
  };
}

/**
 * A solution on its way whose last attempt failed: how many attempts its current step took, the last
 * error, and when the next attempt comes (absent when the reconciler settles it next).
 */
function retrying(s: SolutionRecord) {
  if (!UNSETTLED.has(s.status) || !s.lastError) return {};
  return {
    attempts: s.status === 'CREATED' ? (s.acceptAttempts ?? 0) : s.attempts,
    error: s.lastError,
    ...(s.nextAttemptAt ? { nextAttemptAt: s.nextAttemptAt } : {}),
  };
}
