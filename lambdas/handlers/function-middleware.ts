import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, metrics, tracer } from '../commons/observability';

/**
 * The middleware every function without an HTTP face wears: traced, logged with the invocation's
 * context (never the event), metrics flushed. A Lambda timeout must end the invocation: middy's
 * early timeout would leave it running.
 */
export function pipelineFunction<E, R>(handle: (event: E, context: Context) => Promise<R>) {
  return middy<E, R>({ timeoutEarlyInMillis: 0 })
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(logMetrics(metrics))
    .handler(handle);
}

/**
 * A worker on the table's stream and on its wake queue. Stream batches: different items (the filter
 * passes one per item entering its status; a repeated one meets its claim). Wake batches: retries
 * now due (lambdas/queue/wake-queue.ts). Either is handled at once, each failure its own (partial
 * batch responses), all of them paced together by the instance's Graph client.
 */
export function streamWorker(handlers: { stream: (record: DynamoDBRecord) => Promise<void>; wake: (record: SQSRecord) => Promise<void> }) {
  const streamBatches = new BatchProcessor(EventType.DynamoDBStreams);
  const wakeBatches = new BatchProcessor(EventType.SQS);
  const options = { processInParallel: true, throwOnFullBatchFailure: false } as const;
  return pipelineFunction((event: DynamoDBStreamEvent | SQSEvent, context: Context) =>
    isWakeBatch(event)
      ? processPartialResponse(event, handlers.wake, wakeBatches, { context, ...options })
      : processPartialResponse(event, handlers.stream, streamBatches, { context, ...options }),
  );
}

/** Both event sources invoke with at least one record, each naming its source. */
const isWakeBatch = (event: DynamoDBStreamEvent | SQSEvent): event is SQSEvent => event.Records[0]?.eventSource === 'aws:sqs';
