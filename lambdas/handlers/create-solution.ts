import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadCreateSolutionConfig } from '../config';
import { createSolution, type CreateSolutionDeps } from '../domain/create-solution';
import { GraphClient } from '../graph/graph-client';
import { createSolutionMessageSchema } from '../queue/create-solution-message';
import { OnboardingStore } from '../store/onboarding-store';
import { dynamoDocumentClient } from '../shared/aws-clients';
import { logger, METRIC, metrics } from '../shared/observability';

const config = loadCreateSolutionConfig();
const deps: CreateSolutionDeps = {
  store: new OnboardingStore(dynamoDocumentClient(), config.tableName),
  graph: new GraphClient(config.graph),
  settings: config.solution,
  clock: () => new Date(),
};
const processor = new BatchProcessor(EventType.SQS);

async function handleRecord(record: SQSRecord): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  const parsed = createSolutionMessageSchema.safeParse(body);
  if (!parsed.success) {
    // Never log the body: it may hold a token. Redelivery ends it in the DLQ, which alarms.
    logger.error('malformed create-solution message', { messageId: record.messageId });
    throw new Error(`malformed create-solution message ${record.messageId}`);
  }
  const { onboardingId, appId } = parsed.data;
  logger.appendKeys({ onboardingId, appId });
  try {
    const result = await createSolution(parsed.data, deps);
    if (result.outcome === 'created') {
      metrics.addMetric(METRIC.solutionCreated, MetricUnit.Count, 1);
      logger.info('solution created', { solutionId: result.solutionId, recovered: result.recovered });
    } else if (result.outcome === 'failed') {
      metrics.addMetric(METRIC.solutionCreateFailed, MetricUnit.Count, 1);
      logger.error('solution creation failed permanently', { graphError: result.error });
    } else {
      logger.info('duplicate create message ignored', { status: result.status });
    }
  } finally {
    logger.removeKeys(['onboardingId', 'appId']);
  }
}

// One record at a time: each record's correlation keys are set on the shared logger, and Graph
// rate limits favour pacing over bursts (parallelism comes from the event source's max concurrency).
export const handler = middy((event: SQSEvent, context: Context) => processPartialResponse(event, handleRecord, processor, { context, processInParallel: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
