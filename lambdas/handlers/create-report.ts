import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CreateRetry, CreateSolutionOutcome } from '../domain/create-solution';
import { METRIC } from '../commons/metric-names';
import { logger, metrics } from '../commons/observability';

/** Logs and counts a create attempt's outcome; the logger carries the message's correlation keys. */
export function reportCreateOutcome(result: Exclude<CreateSolutionOutcome, CreateRetry | { outcome: 'busy' }>): void {
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

const failedAttempt = (lastDelivery: boolean) =>
  lastDelivery ? 'create attempt failed on the last delivery; the reconciler settles the solution' : 'create attempt failed; retrying later';

/** A Graph error the attempt scheduled a retry for: counted, and a WARN with Graph's error, never the message (it holds the token). */
export function reportCreateRetry(retry: CreateRetry): void {
  metrics.addMetric(METRIC.createAttemptFailed, MetricUnit.Count, 1);
  logger.warn(failedAttempt(retry.lastDelivery), { graphError: retry.graphError.details, retryInSeconds: retry.delaySeconds, outcomeUnknown: retry.outcomeUnknown });
}

/** A delivery that failed before or around its attempt (a DynamoDB error, a solution busy too long): a WARN with the error. */
export function reportFailedCreateAttempt(error: Error, lastDelivery: boolean): void {
  logger.warn(failedAttempt(lastDelivery), { error });
}
