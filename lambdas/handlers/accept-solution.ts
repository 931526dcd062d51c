import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { z } from 'zod';
import { loadAcceptSolutionConfig } from '../config';
import { acceptSolution, type AcceptSolutionDeps } from '../domain/accept-solution';
import { GraphClient } from '../graph/graph-client';
import { dynamoRecordStore } from '../store/dynamo-record-store';
import { reportRefusedTransition } from './transition-report';
import { dynamoDocumentClient } from '../commons/aws-clients';
import { cachedSecret } from '../commons/cached-secret';
import { logger } from '../commons/observability';
import { streamWorker } from './function-middleware';
import { reportAcceptOutcome } from './accept-report';

const config = loadAcceptSolutionConfig();
const deps: AcceptSolutionDeps = {
  store: dynamoRecordStore(dynamoDocumentClient(), config.tableName, reportRefusedTransition),
  graph: new GraphClient(config.graph),
  settings: config.acceptance,
  systemUserToken: cachedSecret(config.systemUserTokenSecretId, config.secretCacheTtlSeconds),
  clock: () => new Date(),
};

const createdSolutionImage = z.object({ onboardingId: z.string(), appId: z.string(), solutionId: z.string() });

async function handleRecord(record: DynamoDBRecord): Promise<void> {
  const image = record.dynamodb?.NewImage;
  const parsed = createdSolutionImage.safeParse(image ? unmarshall(image as Record<string, AttributeValue>) : undefined);
  if (!parsed.success) {
    logger.error('stream record is not a created solution', { eventId: record.eventID });
    throw new Error(`stream record ${record.eventID} is not a created solution`);
  }
  const { onboardingId, appId, solutionId } = parsed.data;
  // The records of a batch are accepted at once: each has a logger of its own with its correlation keys.
  const log = logger.createChild();
  log.appendKeys({ onboardingId, appId, solutionId });
  try {
    reportAcceptOutcome(await acceptSolution({ onboardingId, appId }, deps, { kind: 'stream' }), log);
  } catch (error) {
    // Graph's failures are scheduled on the record; this is the store or the secret: the stream retries.
    log.warn('accept attempt failed; the stream retries it', { error: error as Error });
    throw error;
  }
}

export const handler = streamWorker(handleRecord);
