import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { CreateRetryScheduled, type CreateSolutionOutcome } from '../domain/create-solution';
import { METRIC } from '../shared/metric-names';
import { logger, metrics } from '../shared/observability';

/** Logs and counts a create attempt's outcome; the logger carries the message's correlation keys. */
export function reportCreateOutcome(result: CreateSolutionOutcome): void {
  switch (result.outcome) {
    case 'created':
      metrics.addMetric(METRIC.solutionCreated, MetricUnit.Count, 1);
      logger.info('solution created', { solutionId: result.solutionId, how: result.how });
      return;
    case 'existing':
      metrics.addMetric(METRIC.solutionExisting, MetricUnit.Count, 1);
      logger.info('app already has a live solution with us; nothing created', { solutionId: result.solutionId });
      return;
    case 'failed':
      metrics.addMetric(METRIC.solutionCreateFailed, MetricUnit.Count, 1);
      logger.error('solution creation failed permanently', { graphError: result.error });
      return;
    case 'orphaned':
      metrics.addMetric(METRIC.solutionOrphaned, MetricUnit.Count, 1);
      logger.error('solution created on Graph but not recorded: this attempt lost its claim', { solutionId: result.solutionId });
      return;
    case 'skipped':
      logger.info('duplicate create message ignored', { status: result.status });
  }
}

/** A failed attempt is a WARN with Graph's error, never the message (it holds the token). */
export function reportFailedCreateAttempt(error: unknown, lastDelivery: boolean): void {
  const what = lastDelivery ? 'create attempt failed on the last delivery; the reconciler settles the solution' : 'create attempt failed; retrying later';
  if (!(error instanceof CreateRetryScheduled)) return logger.warn(what, { error: error as Error });
  metrics.addMetric(METRIC.createAttemptFailed, MetricUnit.Count, 1);
  logger.warn(what, { graphError: error.graphError.details, retryInSeconds: error.scheduledRetrySeconds, outcomeUnknown: error.outcomeUnknown });
}
