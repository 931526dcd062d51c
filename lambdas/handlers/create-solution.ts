import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadCreateSolutionConfig } from '../config';
import { createSolution, type CreateSolutionDeps } from '../domain/create-solution';
import { verifyOnboarding, type VerifyOnboardingDeps } from '../domain/verify-onboarding';
import { GraphClient } from '../graph/graph-client';
import { CreateDeliveries, parseQueueMessage, type CreateDeliveriesDeps } from '../queue/create-deliveries';
import type { CreateSolutionMessage, QueueMessage, VerifyOnboardingMessage } from '../queue/create-solution-message';
import { SqsCreateSolutionQueue } from '../queue/create-solution-queue';
import { MalformedMessageError } from '../queue/retry-backoff';
import { dynamoRecordStore } from '../store/dynamo-record-store';
import { reportRefusedTransition } from './transition-report';
import { dynamoDocumentClient, sqs } from '../commons/aws-clients';
import { cachedSecret } from '../commons/cached-secret';
import { logger, metrics, tracer } from '../commons/observability';
import { reportCreateOutcome, reportCreateRetry, reportFailedCreateAttempt } from './create-report';
import { reportVerifyOutcome } from './verify-report';

const config = loadCreateSolutionConfig();
const store = dynamoRecordStore(dynamoDocumentClient(), config.tableName, reportRefusedTransition);
const graph = new GraphClient(config.graph);
const queue = new SqsCreateSolutionQueue(sqs(), config.createQueueUrl);
const deps: CreateSolutionDeps = {
  store,
  graph,
  settings: config.solution,
  clock: () => new Date(),
};
const verifyDeps: VerifyOnboardingDeps = {
  store,
  graph,
  queue,
  appSecret: cachedSecret(config.appSecretId, config.secretCacheTtlSeconds),
  settings: config.onboarding,
  clock: () => new Date(),
};
const deliveryDeps: CreateDeliveriesDeps = {
  queue,
  store,
  maxReceiveCount: config.maxReceiveCount,
  redelivery: config.redelivery,
  clock: () => new Date(),
  warn: (message, problem) => logger.warn(message, { problem: problem instanceof Error ? problem : String(problem) }),
};
const processor = new BatchProcessor(EventType.SQS);

/** A failing batch item is one that throws: SQS delivers its message again, after the delay set on it. */
async function handleRecord(record: SQSRecord, deliveries: CreateDeliveries): Promise<void> {
  const failure = await deliver(record, deliveries);
  if (failure) throw failure;
}

/** One delivery of a message: undefined when it is done with (or put back as a new message), else why it must come again. */
async function deliver(record: SQSRecord, deliveries: CreateDeliveries): Promise<Error | undefined> {
  const lastDelivery = deliveries.isLastDelivery(record);
  let message: QueueMessage | undefined;
  try {
    message = parseQueueMessage(record);
    return message.kind === 'verify' ? await deliverVerify(record, message, deliveries) : await deliverCreate(record, message, deliveries);
  } catch (error) {
    if (error instanceof MalformedMessageError) logger.error(error.message, { messageId: record.messageId });
    else reportFailedCreateAttempt(error as Error, lastDelivery);
    await deliveries.failed(record, message, error);
    return error as Error;
  } finally {
    logger.removeKeys(['onboardingId', 'appId']);
  }
}

/** A deferred check of an onboarding's token: Graph's trouble brings the message back after the create backoff. */
async function deliverVerify(record: SQSRecord, message: VerifyOnboardingMessage, deliveries: CreateDeliveries): Promise<Error | undefined> {
  logger.appendKeys({ onboardingId: message.onboardingId });
  const result = await verifyOnboarding(message, verifyDeps, { final: deliveries.isLastDelivery(record) });
  reportVerifyOutcome(result);
  if (result.outcome !== 'retry') return undefined;
  await deliveries.failed(record, message, result.graphError);
  return new Error(`token check failed for now (${result.graphError.message}); retrying later`);
}

async function deliverCreate(record: SQSRecord, message: CreateSolutionMessage, deliveries: CreateDeliveries): Promise<Error | undefined> {
  const lastDelivery = deliveries.isLastDelivery(record);
  logger.appendKeys({ onboardingId: message.onboardingId, appId: message.appId });
  const result = await createSolution(message, deps, { final: lastDelivery });
  switch (result.outcome) {
    case 'retry':
      reportCreateRetry(result);
      deliveries.retryScheduled(record, result.delaySeconds);
      return new Error(`create attempt failed (${result.graphError.message}); ${lastDelivery ? 'no delivery left' : `retrying after ${result.delaySeconds} s`}`);
    case 'busy': {
      const deferred = await deliveries.deferWhileBusy(message, result.retryAfterSeconds);
      if (deferred) {
        logger.info('solution busy elsewhere; message put back', deferred);
        return undefined;
      }
      const busy = new Error(`the solution for app ${message.appId} is being created by another attempt, past the message's deferrals`);
      reportFailedCreateAttempt(busy, lastDelivery);
      await deliveries.busyTooLong(record, message, result.retryAfterSeconds);
      return busy;
    }
    default:
      reportCreateOutcome(result);
      return undefined;
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
