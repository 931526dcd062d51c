import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Onboarding, SolutionRecord } from '../../lambdas/domain/records';
import { OnboardingStore } from '../../lambdas/store/onboarding-store';
import { ensureTable, startDynamoDbLocal, type DynamoDbLocal } from '../../local/runtime/dynamodb-local';
import { freePort } from '../../local/runtime/free-port';

/** The record store's conditional writes, on Amazon's DynamoDB Local with the stack's table layout. */
let dynamo: DynamoDbLocal;
let dataDir: string;
let db: DynamoDBDocumentClient;
let store: OnboardingStore;
let n = 0;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mps-store-'));
  dynamo = await startDynamoDbLocal(dataDir, await freePort());
  await ensureTable(dynamo.endpoint, 'store-test');
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  store = new OnboardingStore(db, 'store-test');
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

const T0 = new Date('2026-11-27T08:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

function newOnboarding(appIds = ['111', '222']): Onboarding {
  const onboardingId = `ob-${++n}`;
  const at = T0.toISOString();
  return {
    onboarding: { onboardingId, apps: appIds.map((appId) => ({ appId, name: `app ${appId}` })), tokenFingerprint: `fp-${n}`, createdAt: at, updatedAt: at },
    solutions: appIds.map(
      (appId): SolutionRecord => ({ onboardingId, appId, appName: `app ${appId}`, solutionName: `Acme × app ${appId} · s${n}`, status: 'PENDING', attempts: 0, createdAt: at, updatedAt: at }),
    ),
  };
}

describe('OnboardingStore on DynamoDB Local', () => {
  test('writes an onboarding once per token fingerprint and reads it back whole', async () => {
    const onboarding = newOnboarding();
    await expect(store.createOnboarding(onboarding)).resolves.toBe('created');
    await expect(store.createOnboarding({ ...newOnboarding(), onboarding: { ...newOnboarding().onboarding, tokenFingerprint: onboarding.onboarding.tokenFingerprint } })).resolves.toBe(
      'duplicate',
    );

    await expect(store.findOnboardingIdByFingerprint(onboarding.onboarding.tokenFingerprint)).resolves.toBe(onboarding.onboarding.onboardingId);
    const read = await store.getOnboarding(onboarding.onboarding.onboardingId);
    expect(read?.onboarding).toMatchObject(onboarding.onboarding);
    expect(read?.solutions.map((s) => [s.appId, s.status])).toEqual([
      ['111', 'PENDING'],
      ['222', 'PENDING'],
    ]);
    await expect(store.getOnboarding('ob-missing')).resolves.toBeUndefined();
  });

  test('one claim wins; a second claim while the lease runs is busy; a settled solution is never claimed', async () => {
    const { onboarding } = newOnboarding(['111']);
    await store.createOnboarding({ onboarding, solutions: newOnboardingSolutions(onboarding.onboardingId) });
    const id = onboarding.onboardingId;

    const first = await store.claimForCreate(id, '111', T0, 30_000);
    expect(first).toMatchObject({ kind: 'claimed', resumed: false, record: { status: 'CREATING', attempts: 1 } });
    await expect(store.claimForCreate(id, '111', later(1_000), 30_000)).resolves.toMatchObject({ kind: 'busy' });

    await expect(store.recordCreated(id, '111', 'sol-1', later(2_000))).resolves.toBe(true);
    await expect(store.recordCreated(id, '111', 'sol-2', later(3_000))).resolves.toBe(false);
    await expect(store.claimForCreate(id, '111', later(60_000), 30_000)).resolves.toMatchObject({ kind: 'settled', record: { status: 'CREATED', solutionId: 'sol-1' } });
  });

  test('an expired lease or a released one lets the next attempt in, as a resumed claim', async () => {
    const { onboarding } = newOnboarding(['111']);
    await store.createOnboarding({ onboarding, solutions: newOnboardingSolutions(onboarding.onboardingId) });
    const id = onboarding.onboardingId;

    await store.claimForCreate(id, '111', T0, 30_000);
    // The first attempt died without a word: after its lease the next one resumes.
    await expect(store.claimForCreate(id, '111', later(30_001), 30_000)).resolves.toMatchObject({ kind: 'claimed', resumed: true, record: { attempts: 2 } });
    // A failed attempt releases its lease at once and keeps Graph's error.
    await store.releaseCreateLease(id, '111', { code: 2, message: 'Service unavailable' }, later(31_000));
    await expect(store.getSolution(id, '111')).resolves.toMatchObject({ status: 'CREATING', lastError: { code: 2 } });
    await expect(store.claimForCreate(id, '111', later(31_001), 30_000)).resolves.toMatchObject({ kind: 'claimed', resumed: true, record: { attempts: 3 } });
  });

  test('each transition applies once, only from its source status', async () => {
    const { onboarding } = newOnboarding(['111', '222']);
    await store.createOnboarding({ onboarding, solutions: newOnboardingSolutions(onboarding.onboardingId, ['111', '222']) });
    const id = onboarding.onboardingId;
    await store.claimForCreate(id, '111', T0, 30_000);
    await store.claimForCreate(id, '222', T0, 30_000);

    await expect(store.recordAccepted(id, '111', later(1))).resolves.toBe(false); // not CREATED yet
    await store.recordCreated(id, '111', 'sol-1', later(2));
    await expect(store.recordAccepted(id, '111', later(3))).resolves.toBe(true);
    await expect(store.recordAcceptFailed(id, '111', { code: 100, message: 'x' }, later(4))).resolves.toBe(false);
    await expect(store.recordCreateFailed(id, '222', { code: 190, subcode: 463, message: 'expired', fbtraceId: 'T' }, later(5))).resolves.toBe(true);

    const solutions = (await store.getOnboarding(id))!.solutions;
    expect(solutions.find((s) => s.appId === '111')).toMatchObject({ status: 'ACCEPTED', solutionId: 'sol-1' });
    expect(solutions.find((s) => s.appId === '111')).not.toHaveProperty('leaseExpiresAt');
    expect(solutions.find((s) => s.appId === '222')).toMatchObject({ status: 'CREATE_FAILED', lastError: { code: 190, subcode: 463, fbtraceId: 'T' } });
  });

  test('solutions are found by status (newest first), by Tech Provider app and by solution id through the indexes', async () => {
    const { onboarding } = newOnboarding(['777']);
    await store.createOnboarding({ onboarding, solutions: newOnboardingSolutions(onboarding.onboardingId, ['777']) });
    await store.claimForCreate(onboarding.onboardingId, '777', T0, 30_000);
    await store.recordCreated(onboarding.onboardingId, '777', 'sol-777', later(3_600_000)); // newer than every other test's

    const query = (IndexName: string, key: string, value: string) =>
      db.send(new QueryCommand({ TableName: 'store-test', IndexName, KeyConditionExpression: '#k = :v', ExpressionAttributeNames: { '#k': key }, ExpressionAttributeValues: { ':v': value }, ScanIndexForward: false }));
    expect((await query('bySolutionId', 'solutionId', 'sol-777')).Items?.map((i) => i.appId)).toEqual(['777']);
    expect((await query('byAppId', 'appId', '777')).Items?.map((i) => i.onboardingId)).toEqual([onboarding.onboardingId]);
    const created = (await query('byStatus', 'status', 'CREATED')).Items ?? [];
    expect(created[0]?.solutionId).toBe('sol-777');
  });
});

function newOnboardingSolutions(onboardingId: string, appIds = ['111']): SolutionRecord[] {
  const at = T0.toISOString();
  return appIds.map((appId) => ({ onboardingId, appId, appName: `app ${appId}`, solutionName: `n ${appId}`, status: 'PENDING', attempts: 0, createdAt: at, updatedAt: at }));
}
