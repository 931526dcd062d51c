import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AcceptSolutionOutcome } from '../domain/accept-solution';
import { METRIC } from '../commons/metric-names';
import { logger, metrics } from '../commons/observability';

/**
 * Logs and counts an accept attempt's outcome, the same way for the stream's attempts and the
 * reconciler's: a failed attempt is a WARN with Graph's error, a give-up or a mismatch an ERROR and
 * the metric the failed-accept alarm watches (a mismatch also its own). `log` carries the
 * attempt's correlation keys.
 */
export function reportAcceptOutcome(result: AcceptSolutionOutcome, log: Logger = logger): void {
  switch (result.outcome) {
    case 'accepted':
      metrics.addMetric(METRIC.solutionAccepted, MetricUnit.Count, 1);
      log.info('solution accepted', { alreadyAccepted: result.alreadyAccepted, attempt: result.attempt });
      if (result.differences) log.warn('our accept was already in, but the solution is not what this record asked for', { differences: result.differences });
      return;
    case 'retrying':
      metrics.addMetric(METRIC.acceptAttemptFailed, MetricUnit.Count, 1);
      log.warn('accept attempt failed; retrying later', { graphError: result.error, attempt: result.attempt, nextAttemptAt: result.nextAttemptAt });
      reportWakeNotSent(result.wakeFailed, log);
      return;
    case 'failed':
      metrics.addMetric(METRIC.solutionAcceptFailed, MetricUnit.Count, 1);
      log.error(result.gaveUp ? 'solution accept failed for the whole retry period; gave up' : 'solution accept failed permanently', {
        graphError: result.error,
        attempt: result.attempt,
      });
      return;
    case 'mismatch':
      metrics.addMetric(METRIC.solutionMismatch, MetricUnit.Count, 1);
      metrics.addMetric(METRIC.solutionAcceptFailed, MetricUnit.Count, 1);
      log.error('solution is not the one we asked for; not accepted', { graphError: result.error, attempt: result.attempt });
      if (result.declined?.ok) log.info('mismatched solution declined on Graph');
      if (result.declined && !result.declined.ok) log.warn('could not decline the mismatched solution on Graph; decline it by hand', { graphError: result.declined.error });
      return;
    case 'skipped':
      log.info('accept not needed or held by another attempt', { status: result.status });
  }
}

/** A retry whose wake-up could not be sent waits for the reconciler's next pass instead: counted and logged. */
export function reportWakeNotSent(wakeFailed: string | undefined, log: Logger): void {
  if (wakeFailed === undefined) return;
  metrics.addMetric(METRIC.wakeNotSent, MetricUnit.Count, 1);
  log.warn("could not send the retry's wake-up; the reconciler takes it when due", { error: wakeFailed });
}
