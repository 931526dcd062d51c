import { type Onboarding, type SolutionRecord } from './records';
import { onboardingStatus } from './solution-status';
import { UNSETTLED } from './status-sets';

/** The public shape of `POST /api/onboardings` (docs/design.md §3). */
export function onboardingAccepted({ onboarding }: Onboarding, statusUrl: string) {
  return {
    onboardingId: onboarding.onboardingId,
    statusUrl,
    apps: onboarding.apps.map(({ appId, name }) => ({ appId, name })),
  };
}

/** How many businesses joined through a solution and are still with it (the clients' store's `countJoined`). */
export type JoinedClients = (solutionId: string) => Promise<number>;

/**
 * The public shape of `GET /api/onboardings/{onboardingId}` (docs/design.md §3). A solution with an
 * ID also says how many businesses joined through it (`clients`): one count per solution, read together.
 */
export async function onboardingStatusView({ onboarding, solutions }: Onboarding, joinedClients: JoinedClients) {
  const clients = await Promise.all(solutions.map((s) => (s.solutionId ? joinedClients(s.solutionId) : undefined)));
  return {
    onboardingId: onboarding.onboardingId,
    status: onboardingStatus(solutions),
    createdAt: onboarding.createdAt,
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
