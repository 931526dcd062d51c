import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { when } from '../../lambdas/domain/item-move';
import type { Onboarding, SolutionRecord } from '../../lambdas/domain/records';
import type { RecordStore } from '../../lambdas/domain/records/record-store';
import { dynamoRecordStore } from '../../lambdas/store/dynamo-record-store';
import { ensureTable, startDynamoDbLocal, type DynamoDbLocal } from '../../local/runtime/dynamodb-local';
import { freePort } from '../../local/runtime/free-port';
import { ENTITY, keys } from '../../lambdas/store/table-layout';
import { recordStoreCases } from '../support/record-store-cases';
import { transitionMatrixCases } from '../support/transition-matrix-cases';

/**
 * The record store on Amazon's DynamoDB Local with the stack's table layout: the same cases as the
 * in-memory store's (test/support/record-store-cases.ts), then what only DynamoDB has, its indexes.
 * Tests share one table; each uses its own app ids, since an app's guard outlives an onboarding.
 */
let dynamo: DynamoDbLocal;
let dataDir: string;
let db: DynamoDBDocumentClient;
let store: RecordStore;
let n = 0;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mps-store-'));
  dynamo = await startDynamoDbLocal(dataDir, await freePort());
  await ensureTable(dynamo.endpoint, 'store-test');
  // The matrix puts hundreds of items in every status: its own table, out of the index tests' way.
  await ensureTable(dynamo.endpoint, 'matrix-test');
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  store = dynamoRecordStore(db, 'store-test');
}, 60_000);

afterAll(async () => {
  db?.destroy();
  if (dynamo) {
    const exited = new Promise((resolve) => dynamo.process.once('exit', resolve));
    dynamo.process.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('every transition from every status, on DynamoDB Local', () => {
  transitionMatrixCases(() => ({
    store: dynamoRecordStore(db, 'matrix-test'),
    seed: async (record) => {
      await db.send(new PutCommand({ TableName: 'matrix-test', Item: { ...keys.solution(record.onboardingId, record.appId), entity: ENTITY.solution, ...record } }));
    },
  }));
});

describe('the record store on DynamoDB Local', () => {
  recordStoreCases(() => store);

  test('the reconciler finds items by status through the index: oldest first, filtered, and changed before a time', async () => {
    const { onboarding } = newOnboarding(['911', '912', '913']);
    await store.createOnboarding({ onboarding, solutions: newOnboardingSolutions(onboarding.onboardingId, ['911', '912', '913']) });
    const id = onboarding.onboardingId;
    const timing = { leaseMs: 1_000, redeliveryMs: 1_000, busyRetryMs: 10_000 };
    // 911 and 912 are claimed at -2 h and -1 h (far older than other tests' items); 913 stays PENDING.
    await store.claimForCreate(id, '911', later(-7_200_000), timing);
    await store.claimForCreate(id, '912', later(-3_600_000), timing);
    // 912's message is used up: no delivery is coming any more.
    await store.releaseCreateLease(id, '912', 1, { code: 2, message: 'down' }, later(-3_600_000), { notBefore: 0, nextAttempt: undefined });
    await expect(store.recordNoMoreDeliveries(id, '913', ['CREATING'])).resolves.toBe(false);

    const creating = await store.findByStatus('CREATING', { filter: when.absent('nextAttemptAt'), limit: 10 });
    expect(creating.map((i) => i.appId)).toContain('912');
    expect(creating.map((i) => i.appId)).not.toContain('911');
    const old = await store.findByStatus('CREATING', { updatedBefore: later(-3_000_000), limit: 2 });
    expect(old.map((i) => i.appId)).toEqual(['911', '912']);

    await expect(store.recordNoMoreDeliveries(id, '913')).resolves.toBe(true);
    expect(await store.getSolution(id, '913')).not.toHaveProperty('nextAttemptAt');
  });

  test('solutions are found by status (newest first), by Tech Provider app and by solution id through the indexes', async () => {
    const { onboarding } = newOnboarding(['777']);
    await store.createOnboarding({ onboarding, solutions: newOnboardingSolutions(onboarding.onboardingId, ['777']) });
    await store.claimForCreate(onboarding.onboardingId, '777', T0, TIMING);
    await store.recordCreated(onboarding.onboardingId, '777', 1, 'sol-777', later(3_600_000)); // newer than every other test's

    const query = (IndexName: string, key: string, value: string) =>
      db.send(new QueryCommand({ TableName: 'store-test', IndexName, KeyConditionExpression: '#k = :v', ExpressionAttributeNames: { '#k': key }, ExpressionAttributeValues: { ':v': value }, ScanIndexForward: false }));
    expect((await query('bySolutionId', 'solutionId', 'sol-777')).Items?.map((i) => i.appId)).toEqual(['777']);
    expect((await query('byAppId', 'appId', '777')).Items?.map((i) => i.onboardingId)).toEqual([onboarding.onboardingId]);
    const created = (await query('byStatus', 'status', 'CREATED')).Items ?? [];
    expect(created[0]?.solutionId).toBe('sol-777');
  });
});


const T0 = new Date('2026-11-27T08:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);
/** A 30 s lease; a message whose attempt dies comes back after 180 s. */
const TIMING = { leaseMs: 30_000, redeliveryMs: 180_000, busyRetryMs: 10_000 };

function newOnboarding(appIds = ['111', '222']): Onboarding {
  const onboardingId = `ob-index-${++n}`;
  const at = T0.toISOString();
  return {
    onboarding: { onboardingId, apps: appIds.map((appId) => ({ appId, name: `app ${appId}` })), tokenFingerprint: `fp-index-${n}`, createdAt: at, updatedAt: at },
    solutions: appIds.map(
      (appId): SolutionRecord => ({ onboardingId, appId, appName: `app ${appId}`, solutionName: `Acme × app ${appId} · s${n}`, status: 'PENDING', attempts: 0, createdAt: at, updatedAt: at }),
    ),
  };
}

function newOnboardingSolutions(onboardingId: string, appIds = ['111']): SolutionRecord[] {
  const at = T0.toISOString();
  return appIds.map((appId) => ({ onboardingId, appId, appName: `app ${appId}`, solutionName: `n ${appId}`, status: 'PENDING', attempts: 0, createdAt: at, updatedAt: at }));
}
