import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { loadShareCreditConfig } from '../config';
import { shareCreditLine, type ShareCreditDeps } from '../domain/clients/share-credit-line';
import { ClientGraphClient } from '../graph/client-graph-client';
import { clientRecordOf } from '../store/client-store';
import { dynamoClientStore } from '../store/dynamo-record-store';
import { reportRefusedTransition } from './transition-report';
import { dynamoDocumentClient } from '../commons/aws-clients';
import { cachedSecret } from '../commons/cached-secret';
import { logger, metrics, tracer } from '../commons/observability';
import { reportShareOutcome } from './client-report';

const config = loadShareCreditConfig();
const deps: ShareCreditDeps = {
  clients: dynamoClientStore(dynamoDocumentClient(), config.tableName, reportRefusedTransition),
  graph: new ClientGraphClient(config.graph),
  settings: config.sharing,
  systemUserToken: cachedSecret(config.systemUserTokenSecretId, config.secretCacheTtlSeconds),
  clock: () => new Date(),
};
const processor = new BatchProcessor(EventType.DynamoDBStreams);

const newClientImage = z.object({ solutionId: z.string(), wabaId: z.string(), onboardingId: z.string(), appId: z.string() });

async function handleRecord(record: DynamoDBRecord): Promise<void> {
  const image = record.dynamodb?.NewImage;
  const parsed = newClientImage.safeParse(image ? clientRecordOf(unmarshall(image as Record<string, AttributeValue>)) : undefined);
  if (!parsed.success) {
    logger.error('stream record is not a client', { eventId: record.eventID });
    throw new Error(`stream record ${record.eventID} is not a client`);
  }
  const { solutionId, wabaId, onboardingId, appId } = parsed.data;
  // The records of a batch are shared at once: each has a logger of its own with its correlation keys.
  const log = logger.createChild();
  log.appendKeys({ onboardingId, appId, solutionId, wabaId });
  try {
    reportShareOutcome(await shareCreditLine({ solutionId, wabaId }, deps), log);
  } catch (error) {
    // Graph's failures are scheduled on the record; this is the store or the secret: the stream retries.
    log.warn('credit sharing attempt failed; the stream retries it', { error: error as Error });
    throw error;
  }
}

/** A batch's records are different clients (a repeated one meets its claim): shared at once, each client's calls in order. */
const handleBatch = (event: DynamoDBStreamEvent, context: Context) => processPartialResponse(event, handleRecord, processor, { context, processInParallel: true, throwOnFullBatchFailure: false });

// A Lambda timeout must end the invocation: middy's early timeout would leave it running.
export const handler = middy<DynamoDBStreamEvent>({ timeoutEarlyInMillis: 0 })
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .use(logMetrics(metrics))
  .handler(handleBatch);
