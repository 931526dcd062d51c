import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ClientNews, ClientNewsOutcome } from '../domain/clients/client-news';
import type { ClientSource } from '../domain/clients/client-status';
import type { ShareOutcome } from '../domain/clients/share-credit-line';
import { SCHEDULE } from '../schedule';
import { reportWakeNotSent } from './accept-report';
import { METRIC } from '../commons/metric-names';
import { logger, metrics } from '../commons/observability';

/**
 * Logs and counts what a client's news did, the same way for the webhook and the daily pass. A new
 * client publishes its app's count over the last 7 days (the allowance alarm watches its Maximum) and
 * warns from SCHEDULE.clients.warnAtPercent of `weeklyLimit`.
 */
export function reportClientNews(news: { event: ClientNews['event'] | ClientSource; wabaId: string; solutionId?: string }, result: ClientNewsOutcome, weeklyLimit: number, log: Logger = logger): void {
  const about = { event: news.event, wabaId: news.wabaId, solutionId: news.solutionId };
  switch (result.kind) {
    case 'recorded': {
      const { client, weeklyCount } = result;
      metrics.addMetric(METRIC.clientRecorded, MetricUnit.Count, 1);
      metrics.addMetric(METRIC.weeklyClients, MetricUnit.Count, weeklyCount);
      const keys = { ...about, onboardingId: client.onboardingId, appId: client.appId, ownerBusinessId: client.ownerBusinessId, weeklyCount, weeklyLimit };
      log.info('client recorded', keys);
      if (weeklyCount * 100 >= weeklyLimit * SCHEDULE.clients.warnAtPercent) log.warn("the Tech Provider app nears Meta's weekly allowance of new clients", keys);
      return;
    }
    case 'known':
      log.info('client already recorded; noted who told us', about);
      return;
    case 'rejoined':
      log.info('client joined through the solution again after leaving; its credit line is seen to next', about);
      return;
    case 'not-ours':
      metrics.addMetric(METRIC.clientNotOurs, MetricUnit.Count, 1);
      log.warn('client news about a solution that is not ours (or none); not recorded', about);
      return;
    case 'removed':
      metrics.addMetric(METRIC.clientRemoved, MetricUnit.Count, result.clients.length);
      log.info('client left', { ...about, clients: result.clients });
      return;
    case 'unknown-client':
      log.info('client left, but no record of ours holds it (or the news is older than the record)', about);
      return;
    case 'another-partner':
      log.info('client left another partner (another app removed, or unshared from another business); our records stay', about);
  }
}

/** Logs and counts a sharing attempt: a failed attempt WARNs, CREDIT_FAILED is an ERROR and the alarm's metric. */
export function reportShareOutcome(result: ShareOutcome, log: Logger = logger): void {
  switch (result.outcome) {
    case 'shared':
      metrics.addMetric(METRIC.creditShared, MetricUnit.Count, 1);
      log.info('credit line shared with the client', { alreadyOurs: result.alreadyOurs, allocationConfigId: result.allocationConfigId, attempt: result.attempt });
      return;
    case 'retrying':
      metrics.addMetric(METRIC.creditShareAttemptFailed, MetricUnit.Count, 1);
      log.warn('credit sharing attempt failed; retrying later', { graphError: result.error, attempt: result.attempt, nextAttemptAt: result.nextAttemptAt });
      reportWakeNotSent(result.wakeFailed, log);
      return;
    case 'failed':
      metrics.addMetric(METRIC.creditShareFailed, MetricUnit.Count, 1);
      log.error(result.gaveUp ? 'credit sharing failed for the whole retry period; gave up' : 'credit sharing failed', { graphError: result.error, attempt: result.attempt });
      return;
    case 'not-shared':
      log.info('no credit line is configured; client recorded NOT_SHARED');
      return;
    case 'skipped':
      log.info('credit sharing not needed or held by another attempt');
  }
}
