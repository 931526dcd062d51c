import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
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
 * A worker on the table's stream: a batch's records are different items (the filter passes one per
 * item entering its status; a repeated one meets its claim), handled at once, each failure its own
 * (partial batch responses), all of them paced together by the instance's Graph client.
 */
export function streamWorker(handleRecord: (record: DynamoDBRecord) => Promise<void>) {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  return pipelineFunction((event: DynamoDBStreamEvent, context: Context) =>
    processPartialResponse(event, handleRecord, processor, { context, processInParallel: true, throwOnFullBatchFailure: false }),
  );
}
