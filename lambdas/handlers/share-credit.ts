import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { loadShareCreditConfig } from '../config';
import { shareCreditLine, wakeShare, type ShareCreditDeps } from '../domain/clients/share-credit-line';
import { ClientGraphClient } from '../graph/client-graph-client';
import { SqsWakeQueue } from '../queue/wake-queue';
import { clientRecordOf } from '../store/client-store';
import { dynamoClientStore } from '../store/dynamo-record-store';
import { reportRefusedTransition } from './transition-report';
import { dynamoDocumentClient, sqs } from '../commons/aws-clients';
import { cachedSecret } from '../commons/cached-secret';
import { logger } from '../commons/observability';
import { streamWorker } from './function-middleware';
import { reportShareOutcome } from './client-report';

const config = loadShareCreditConfig();
const clock = () => new Date();
const wakes = new SqsWakeQueue(sqs(), config.shareWakeQueueUrl, 'share', clock);
const clients = dynamoClientStore(dynamoDocumentClient(), config.tableName, reportRefusedTransition);
const deps: ShareCreditDeps = {
  clients,
  graph: new ClientGraphClient(config.graph),
  settings: config.sharing,
  systemUserToken: cachedSecret(config.systemUserTokenSecretId, config.secretCacheTtlSeconds),
  wake: wakes.wake,
  clock,
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

/** A retry's wake-up, once due: the client back to NEW, which the stream brings here (wakeShare). A failed write: the wake queue retries it. */
async function handleWake(record: SQSRecord): Promise<void> {
  const wake = await wakes.due(record);
  if (!wake) return;
  const rearmed = await wakeShare(wake, { clients, clock });
  logger.info(rearmed ? 'client woken for its retry' : 'wake-up for a client that moved on; nothing to do', { solutionId: wake.solutionId, wabaId: wake.wabaId, dueAt: wake.dueAt });
}

export const handler = streamWorker({ stream: handleRecord, wake: handleWake });
