import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { loadAcceptSolutionConfig } from '../config';
import { acceptSolution, type AcceptSolutionDeps, type AcceptTrigger } from '../domain/accept-solution';
import { GraphClient } from '../graph/graph-client';
import { SqsWakeQueue } from '../queue/wake-queue';
import { dynamoRecordStore } from '../store/dynamo-record-store';
import { reportRefusedTransition } from './transition-report';
import { dynamoDocumentClient, sqs } from '../commons/aws-clients';
import { cachedSecret } from '../commons/cached-secret';
import { logger } from '../commons/observability';
import { streamWorker } from './function-middleware';
import { reportAcceptOutcome } from './accept-report';

const config = loadAcceptSolutionConfig();
const clock = () => new Date();
const wakes = new SqsWakeQueue(sqs(), config.acceptWakeQueueUrl, 'accept', clock);
const deps: AcceptSolutionDeps = {
  store: dynamoRecordStore(dynamoDocumentClient(), config.tableName, reportRefusedTransition),
  graph: new GraphClient(config.graph),
  settings: config.acceptance,
  systemUserToken: cachedSecret(config.systemUserTokenSecretId, config.secretCacheTtlSeconds),
  wake: wakes.wake,
  clock,
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
  await attempt({ onboardingId, appId }, { kind: 'stream' }, { solutionId });
}

/**
 * A retry's wake-up, once due: the reconciler's kind of attempt, whose claim takes the solution only
 * while a retry is due (one due by `dueAt` at the latest); already accepted, or claimed again since, it does nothing.
 */
async function handleWake(record: SQSRecord): Promise<void> {
  const wake = await wakes.due(record);
  if (!wake) return;
  await attempt({ onboardingId: wake.onboardingId, appId: wake.appId }, { kind: 'due', handoffBefore: new Date(wake.dueAt) }, { dueAt: wake.dueAt });
}

async function attempt(item: { onboardingId: string; appId: string }, trigger: AcceptTrigger, keys: Record<string, string>): Promise<void> {
  // The records of a batch are accepted at once: each has a logger of its own with its correlation keys.
  const log = logger.createChild();
  log.appendKeys({ ...item, ...keys, trigger: trigger.kind });
  try {
    reportAcceptOutcome(await acceptSolution(item, deps, trigger), log);
  } catch (error) {
    // Graph's failures are scheduled on the record; this is the store or the secret: the stream (or the wake queue) retries.
    log.warn('accept attempt failed; retried by its event source', { error: error as Error });
    throw error;
  }
}

export const handler = streamWorker({ stream: handleRecord, wake: handleWake });
