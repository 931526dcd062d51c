import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadCreateSolutionConfig } from '../config';
import { createSolution, SolutionBusyError, type CreateSolutionDeps } from '../domain/create-solution';
import { GraphClient } from '../graph/graph-client';
import { CreateDeliveries, parseCreateMessage, type CreateDeliveriesDeps } from '../queue/create-deliveries';
import type { CreateSolutionMessage } from '../queue/create-solution-message';
import { SqsCreateSolutionQueue } from '../queue/create-solution-queue';
import { MalformedMessageError } from '../queue/retry-backoff';
import { dynamoRecordStore } from '../store/dynamo-record-store';
import { reportRefusedTransition } from './transition-report';
import { dynamoDocumentClient, sqs } from '../shared/aws-clients';
import { logger, metrics, tracer } from '../shared/observability';
import { reportCreateOutcome, reportFailedCreateAttempt } from './create-report';

const config = loadCreateSolutionConfig();
const store = dynamoRecordStore(dynamoDocumentClient(), config.tableName, reportRefusedTransition);
const deps: CreateSolutionDeps = {
  store,
  graph: new GraphClient(config.graph),
  settings: config.solution,
  clock: () => new Date(),
};
const deliveryDeps: CreateDeliveriesDeps = {
  queue: new SqsCreateSolutionQueue(sqs(), config.createQueueUrl),
  store,
  maxReceiveCount: config.maxReceiveCount,
  clock: () => new Date(),
  warn: (message, problem) => logger.warn(message, { problem: problem instanceof Error ? problem : String(problem) }),
};
const processor = new BatchProcessor(EventType.SQS);

async function handleRecord(record: SQSRecord, deliveries: CreateDeliveries): Promise<void> {
  const lastDelivery = deliveries.isLastDelivery(record);
  let message: CreateSolutionMessage | undefined;
  try {
    message = parseCreateMessage(record);
    logger.appendKeys({ onboardingId: message.onboardingId, appId: message.appId });
    try {
      reportCreateOutcome(await createSolution(message, deps, { final: lastDelivery }));
    } catch (error) {
      const deferred = error instanceof SolutionBusyError ? await deliveries.deferWhileBusy(message, error) : undefined;
      if (!deferred) throw error;
      logger.info('solution busy elsewhere; message put back', deferred);
    }
  } catch (error) {
    if (error instanceof MalformedMessageError) logger.error(error.message, { messageId: record.messageId });
    else reportFailedCreateAttempt(error, lastDelivery);
    await deliveries.failed(record, message, error);
    throw error;
  } finally {
    logger.removeKeys(['onboardingId', 'appId']);
  }
}

async function handleBatch(event: SQSEvent, context: Context) {
  const deliveries = new CreateDeliveries(deliveryDeps);
  // One record at a time: each record's correlation keys are set on the shared logger, and Graph
  // rate limits favour pacing over bursts (parallelism comes from the event source's max concurrency).
  const response = await processPartialResponse(event, (record: SQSRecord) => handleRecord(record, deliveries), processor, {
    context,
    processInParallel: false,
    throwOnFullBatchFailure: false,
  });
  await deliveries.applyRetryDelays();
  return response;
}

// A Lambda timeout must end the invocation: middy's early timeout would leave it running.
export const handler = middy<SQSEvent>({ timeoutEarlyInMillis: 0 })
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .use(logMetrics(metrics))
  .handler(handleBatch);
