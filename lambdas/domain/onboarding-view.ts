import { onboardingStatus, type Onboarding } from './records';

/** The public shape of `POST /api/onboardings` (DESIGN.md §3). */
export function onboardingAccepted({ onboarding }: Onboarding, statusUrl: string) {
  return {
    onboardingId: onboarding.onboardingId,
    statusUrl,
    apps: onboarding.apps.map(({ appId, name }) => ({ appId, name })),
  };
}

/** The public shape of `GET /api/onboardings/{onboardingId}` (DESIGN.md §3). */
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
    })),
  };
}
