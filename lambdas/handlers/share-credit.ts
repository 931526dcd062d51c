import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { z } from 'zod';
import { loadShareCreditConfig } from '../config';
import { shareCreditLine, type ShareCreditDeps } from '../domain/clients/share-credit-line';
import { ClientGraphClient } from '../graph/client-graph-client';
import { clientRecordOf } from '../store/client-store';
import { dynamoClientStore } from '../store/dynamo-record-store';
import { reportRefusedTransition } from './transition-report';
import { dynamoDocumentClient } from '../commons/aws-clients';
import { cachedSecret } from '../commons/cached-secret';
import { logger } from '../commons/observability';
import { streamWorker } from './function-middleware';
import { reportShareOutcome } from './client-report';

const config = loadShareCreditConfig();
const deps: ShareCreditDeps = {
  clients: dynamoClientStore(dynamoDocumentClient(), config.tableName, reportRefusedTransition),
  graph: new ClientGraphClient(config.graph),
  settings: config.sharing,
  systemUserToken: cachedSecret(config.systemUserTokenSecretId, config.secretCacheTtlSeconds),
  clock: () => new Date(),
};

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

export const handler = streamWorker(handleRecord);
