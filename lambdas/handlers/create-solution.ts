import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadCreateSolutionConfig } from '../config';
import { createSolution, CreateRetryScheduled, SolutionBusyError, type CreateSolutionDeps, type CreateSolutionOutcome } from '../domain/create-solution';
import { GraphClient } from '../graph/graph-client';
import { createSolutionMessageSchema, type CreateSolutionMessage } from '../queue/create-solution-message';
import { SqsCreateSolutionQueue } from '../queue/create-solution-queue';
import { busyDeferralSeconds, MalformedMessageError, MAX_BUSY_DEFERRALS, redeliveryDelaySeconds } from '../queue/retry-backoff';
import { OnboardingStore } from '../store/onboarding-store';
import { dynamoDocumentClient, sqs } from '../shared/aws-clients';
import { logger, METRIC, metrics } from '../shared/observability';

const config = loadCreateSolutionConfig();
const store = new OnboardingStore(dynamoDocumentClient(), config.tableName);
const deps: CreateSolutionDeps = {
  store,
  graph: new GraphClient(config.graph),
  settings: config.solution,
  clock: () => new Date(),
};
const queue = new SqsCreateSolutionQueue(sqs(), config.createQueueUrl);
const processor = new BatchProcessor(EventType.SQS);

function parseMessage(record: SQSRecord) {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  const parsed = createSolutionMessageSchema.safeParse(body);
  // Never log or echo the body: it may hold a token. Redelivery ends it in the DLQ, which alarms.
  if (!parsed.success) throw new MalformedMessageError(`malformed create-solution message ${record.messageId}`);
  return parsed.data;
}

function report(result: CreateSolutionOutcome): void {
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

/**
 * Waiting for another attempt's solution is not failing: the message goes back as a new one, with
 * a delay, so that waiting does not use up its receives (and land it in the DLQ while the holder
 * is still legitimately retrying). Past MAX_BUSY_DEFERRALS it fails like any other message.
 */
async function deferWhileBusy(message: CreateSolutionMessage, busy: SolutionBusyError): Promise<boolean> {
  const deferrals = message.deferrals ?? 0;
  if (deferrals >= MAX_BUSY_DEFERRALS) return false;
  const delaySeconds = busyDeferralSeconds(busy.retryAfterSeconds, deferrals);
  await queue.send([{ ...message, deferrals: deferrals + 1 }], delaySeconds);
  await noteRedelivery(message, false, delaySeconds);
  logger.info('solution busy elsewhere; message put back', { delaySeconds, deferrals: deferrals + 1 });
  return true;
}

/** A failed attempt is a WARN with Graph's error, never the message (it holds the token). */
function reportFailedAttempt(error: unknown, lastDelivery: boolean): void {
  const what = lastDelivery ? 'create attempt failed on the last delivery; the reconciler settles the solution' : 'create attempt failed; retrying later';
  if (!(error instanceof CreateRetryScheduled)) return logger.warn(what, { error: error as Error });
  metrics.addMetric(METRIC.createAttemptFailed, MetricUnit.Count, 1);
  logger.warn(what, { graphError: error.graphError.details, retryInSeconds: error.scheduledRetrySeconds, outcomeUnknown: error.outcomeUnknown });
}

async function handleRecord(record: SQSRecord, retryDelays: Map<string, number>): Promise<void> {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  const lastDelivery = receiveCount >= config.maxReceiveCount;
  let message: CreateSolutionMessage | undefined;
  try {
    message = parseMessage(record);
    logger.appendKeys({ onboardingId: message.onboardingId, appId: message.appId });
    try {
      report(await createSolution(message, deps, { final: lastDelivery }));
    } catch (error) {
      if (error instanceof SolutionBusyError && (await deferWhileBusy(message, error))) return;
      throw error;
    }
  } catch (error) {
    if (error instanceof MalformedMessageError) logger.error(error.message, { messageId: record.messageId });
    else reportFailedAttempt(error, lastDelivery);
    const delaySeconds = redeliveryDelaySeconds(error, receiveCount);
    retryDelays.set(record.receiptHandle, delaySeconds);
    // An attempt that got as far as Graph noted its retry on the record itself.
    if (message && !(error instanceof CreateRetryScheduled)) await noteRedelivery(message, lastDelivery, delaySeconds);
    throw error;
  } finally {
    logger.removeKeys(['onboardingId', 'appId']);
  }
}

/**
 * Tells the record when this message comes back (a waiting item: busy, or failed before its claim),
 * or, on its last delivery, that none follows, so that the reconciler neither settles an item whose
 * message is alive nor waits for one that is gone. Best effort: the failure being reported matters more.
 */
async function noteRedelivery(message: CreateSolutionMessage, lastDelivery: boolean, delaySeconds: number): Promise<void> {
  const noted = lastDelivery
    ? store.recordNoMoreDeliveries(message.onboardingId, message.appId)
    : store.recordWaiting(message.onboardingId, message.appId, new Date(Date.now() + delaySeconds * 1000));
  await noted.catch((error: unknown) => logger.warn('could not note the redelivery on the record', { error: error as Error }));
}

/** Failed messages come back after their backoff, not after the queue's full visibility timeout. */
async function deferRetries(retryDelays: Map<string, number>): Promise<void> {
  if (retryDelays.size === 0) return;
  const problems = await queue
    .deferRedelivery([...retryDelays].map(([receiptHandle, delaySeconds]) => ({ receiptHandle, delaySeconds })))
    .catch((error: unknown) => [String(error)]);
  if (problems.length > 0) logger.warn('could not set the retry backoff; the queue visibility timeout applies', { problems });
}

async function handleBatch(event: SQSEvent, context: Context) {
  const retryDelays = new Map<string, number>();
  // One record at a time: each record's correlation keys are set on the shared logger, and Graph
  // rate limits favour pacing over bursts (parallelism comes from the event source's max concurrency).
  const response = await processPartialResponse(event, (record: SQSRecord) => handleRecord(record, retryDelays), processor, {
    context,
    processInParallel: false,
    throwOnFullBatchFailure: false,
  });
  await deferRetries(retryDelays);
  return response;
}

// A Lambda timeout must end the invocation: middy's early timeout would leave it running.
export const handler = middy<SQSEvent>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .use(logMetrics(metrics))
  .handler(handleBatch);
