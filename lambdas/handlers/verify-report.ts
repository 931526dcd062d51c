import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { VerifyOnboardingOutcome } from '../domain/verify-onboarding';
import type { VerificationError } from '../domain/records';
import { METRIC } from '../commons/metric-names';
import { logger, metrics } from '../commons/observability';

/** Counts and logs a deferred check that ended the onboarding FAILED (the verify worker's, or the reconciler's past the token's lifetime). */
export function reportVerificationFailed(error: VerificationError, by: 'check' | 'lifetime'): void {
  metrics.addMetric(METRIC.onboardingVerificationFailed, MetricUnit.Count, 1);
  logger.warn(by === 'lifetime' ? "token's lifetime over before Graph let us check it; onboarding FAILED" : 'token check failed; onboarding FAILED', { code: error.code });
}

/** Logs and counts a verify message's outcome; the logger carries the onboarding's ID, never the token. */
export function reportVerifyOutcome(result: VerifyOnboardingOutcome): void {
  switch (result.outcome) {
    case 'verified':
      logger.info('token checked; solutions written and their create messages sent', { apps: result.apps });
      return;
    case 'failed':
      reportVerificationFailed(result.error, result.error.code === 'TOKEN_EXPIRED' ? 'lifetime' : 'check');
      return;
    case 'retry':
      logger.warn('token check failed for now; retrying later', { graphError: result.graphError.details });
      return;
    case 'resumed':
      logger.info('token checked earlier; its create messages sent now');
      return;
    case 'skipped':
      logger.info('duplicate verify message ignored', { status: result.status });
  }
}
