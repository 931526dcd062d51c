import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RefusedTransitionReport } from '../domain/records/transition-writer';
import { METRIC } from '../commons/metric-names';
import { logger, metrics } from '../commons/observability';

/** A transition the table refused: an ERROR naming the item and both statuses, and a count. */
export const reportRefusedTransition: RefusedTransitionReport = (refusal, item) => {
  metrics.addMetric(METRIC.transitionRefused, MetricUnit.Count, 1);
  logger.error('status transition refused by the transition table; nothing written', { ...item, transition: refusal.transition, from: refusal.from, to: refusal.to });
};
