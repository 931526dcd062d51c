import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SolutionStatus } from '../domain/solution-status';
import type { LifecycleOutcome } from '../domain/solution-lifecycle';
import { METRIC } from '../commons/metric-names';
import { logger, metrics } from '../commons/observability';

/** The metric each lifecycle change counts in, by the status it moved to (EXISTING follows ACTIVE news like ACCEPTED). */
const CHANGE_METRIC: Partial<Record<SolutionStatus, string>> = {
  ACCEPTED: METRIC.solutionActive,
  EXISTING: METRIC.solutionActive,
  PENDING_DEACTIVATION: METRIC.solutionDeactivationRequested,
  REJECTED: METRIC.solutionRejected,
  DEACTIVATED: METRIC.solutionDeactivated,
};

/**
 * Logs and counts what lifecycle news did, the same way for the webhook and the reconciler's reads:
 * each record that changed status is a line with its onboarding ID and a count in its metric (a
 * CREATED one that news found accepted counts as accepted too); news nobody holds is counted apart.
 */
export function reportLifecycleOutcome(news: { solutionId: string; status: string; source: 'webhook' | 'poll' }, result: LifecycleOutcome): void {
  switch (result.outcome) {
    case 'unknown-solution':
    case 'unknown-status':
      metrics.addMetric(METRIC.lifecycleNewsUnmatched, MetricUnit.Count, 1);
      logger.warn(result.outcome === 'unknown-status' ? 'lifecycle news with a status Graph does not document; ignored' : 'lifecycle news of a solution no record holds; ignored', news);
      return;
    case 'awaiting-accept':
      logger.debug('lifecycle news of a solution not yet accepted; the accept worker has it', news);
      return;
    case 'applied':
      for (const change of result.changes) {
        logger.appendKeys({ onboardingId: change.onboardingId, appId: change.appId, solutionId: change.solutionId });
        try {
          if (change.from === change.to) {
            logger.debug('lifecycle news confirms the recorded status', { ...news, status: change.to });
            continue;
          }
          const metric = CHANGE_METRIC[change.to];
          if (metric) metrics.addMetric(metric, MetricUnit.Count, 1);
          if (change.from === 'CREATED' && change.to === 'ACCEPTED') metrics.addMetric(METRIC.solutionAccepted, MetricUnit.Count, 1);
          const log = change.to === 'ACCEPTED' || change.to === 'EXISTING' ? logger.info.bind(logger) : logger.warn.bind(logger);
          log('solution lifecycle changed on Graph', { source: news.source, graphStatus: news.status, from: change.from, to: change.to });
        } finally {
          logger.removeKeys(['onboardingId', 'appId', 'solutionId']);
        }
      }
      if (result.stale > 0) logger.info('lifecycle news older than (or the same as) what the records show; nothing changed', { ...news, records: result.stale });
  }
}
