import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { loadReconcileConfig } from '../config';
import { acceptSolution, type AcceptSolutionDeps } from '../domain/accept-solution';
import { reconcileClients } from '../domain/clients/reconcile-clients';
import { reconcile, type ReconciledItem } from '../domain/reconcile';
import { GraphClient } from '../graph/graph-client';
import { SqsCreateSolutionQueue } from '../queue/create-solution-queue';
import { SqsWakeQueue } from '../queue/wake-queue';
import { dynamoClientStore, dynamoRecordStore } from '../store/dynamo-record-store';
import { reportRefusedTransition } from './transition-report';
import { dynamoDocumentClient, sqs } from '../commons/aws-clients';
import { cachedSecret } from '../commons/cached-secret';
import { METRIC } from '../commons/metric-names';
import { logger, metrics } from '../commons/observability';
import { pipelineFunction } from './function-middleware';
import { reportAcceptOutcome } from './accept-report';
import { reportLifecycleOutcome } from './lifecycle-report';
import { reportVerificationFailed } from './verify-report';
import { TOKEN_EXPIRED } from '../domain/verify-onboarding';

const config = loadReconcileConfig();
const store = dynamoRecordStore(dynamoDocumentClient(), config.tableName, reportRefusedTransition);
const clients = dynamoClientStore(dynamoDocumentClient(), config.tableName, reportRefusedTransition);
const graph = new GraphClient(config.graph);
const systemUserToken = cachedSecret(config.systemUserTokenSecretId, config.secretCacheTtlSeconds);
const queue = new SqsCreateSolutionQueue(sqs(), config.createQueueUrl);
const clock = () => new Date();
// A retry this pass schedules is woken when due, as the accept worker's are: not a pass later.
const acceptWakes = new SqsWakeQueue(sqs(), config.acceptWakeQueueUrl, 'accept', clock);
const acceptDeps: AcceptSolutionDeps = {
  store,
  graph,
  settings: config.acceptance,
  systemUserToken,
  wake: acceptWakes.wake,
  clock,
};

function report({ action, ...item }: ReconciledItem): void {
  logger.appendKeys({ onboardingId: item.onboardingId, appId: item.appId, ...(item.solutionId ? { solutionId: item.solutionId } : {}) });
  try {
    switch (action.action) {
      case 'accept':
        return reportAcceptOutcome(action.result);
      case 'lifecycle':
        return reportLifecycleOutcome({ solutionId: item.solutionId ?? '', status: action.graphStatus, source: 'poll' }, action.result);
      case 'adopted':
        metrics.addMetric(METRIC.solutionAdopted, MetricUnit.Count, 1);
        logger.info('solution found on Graph and adopted; it is accepted next', { was: item.status });
        return;
      case 'existing':
        metrics.addMetric(METRIC.solutionExisting, MetricUnit.Count, 1);
        logger.info('the app already has a live solution with us; recorded EXISTING', { was: item.status });
        return;
      case 'abandoned':
        metrics.addMetric(METRIC.solutionCreateAbandoned, MetricUnit.Count, 1);
        metrics.addMetric(METRIC.solutionCreateFailed, MetricUnit.Count, 1);
        logger.error('solution could not be created and its create message is gone; ended CREATE_FAILED', { was: item.status, graphError: action.error });
        return;
      case 'ambiguous':
        metrics.addMetric(METRIC.solutionOrphaned, MetricUnit.Count, 1);
        metrics.addMetric(METRIC.solutionCreateFailed, MetricUnit.Count, 1);
        logger.error('Graph lists this solution name more than once or on another app; none adopted, ended CREATE_FAILED for a person to look at', {
          was: item.status,
          solutionIds: action.solutionIds,
        });
        return;
      case 'lookup-failed':
        logger.warn('could not look for the solution on Graph; the next pass tries again', { was: item.status, graphError: action.error });
        return;
      case 'failed':
        logger.warn('could not move the solution on; the next pass tries again', { was: item.status, error: action.message });
        return;
      case 'moved-on':
        logger.info('a worker moved the solution on meanwhile; nothing changed', { was: item.status });
    }
  } finally {
    logger.removeKeys(['onboardingId', 'appId', 'solutionId']);
  }
}

async function reconcilePass(_event: unknown, context: Context) {
  // The clients that wait for the share worker first: a cheap pass of table writes only, which a
  // failure of the solutions' pass must not hold back.
  const waiting = await reconcileClients({ clients, settings: { shareHandoffMs: config.reconciliation.shareHandoffMs, maxItemsPerPass: config.reconciliation.maxItemsPerPass }, clock: () => new Date() });
  if (waiting.rearmed.length + waiting.nudged.length > 0) logger.info('clients handed back to the share worker', { rearmed: waiting.rearmed, nudged: waiting.nudged });
  const result = await reconcile({
    store,
    graph,
    createQueueHasBacklog: () => queue.hasBacklog(),
    accept: (item, trigger) => acceptSolution(item, acceptDeps, trigger),
    systemUserToken,
    settings: config.reconciliation,
    clock: () => new Date(),
    timeLeftMs: () => context.getRemainingTimeInMillis(),
  });
  for (const onboardingId of result.expired) {
    logger.appendKeys({ onboardingId });
    reportVerificationFailed(TOKEN_EXPIRED, 'lifetime');
    logger.removeKeys(['onboardingId']);
  }
  result.items.forEach(report);
  if (result.found > 0) logger.info('reconciler pass', { found: result.found, handled: result.items.length, incomplete: result.incomplete });
  return { found: result.found, handled: result.items.length, incomplete: result.incomplete, checksExpired: result.expired.length, clientsRearmed: waiting.rearmed.length, clientsNudged: waiting.nudged.length };
}

export const handler = pipelineFunction(reconcilePass);
