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

/** The public shape of `GET /api/onboardings/{onboardingId}` (docs/design.md §3). */
export function onboardingStatusView({ onboarding, solutions }: Onboarding) {
  return {
    onboardingId: onboarding.onboardingId,
    status: onboardingStatus(solutions),
    createdAt: onboarding.createdAt,
    solutions: solutions.map((s) => ({
      appId: s.appId,
      appName: s.appName,
      solutionName: s.solutionName,
      ...(s.solutionId ? { solutionId: s.solutionId } : {}),
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
