import { jest } from '@jest/globals';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SimRequest } from '../../local/graph-simulator/state';
import { PipelineDriver } from '../support/pipeline-driver';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process';

/**
 * Clients through each solution (issue 28) on the local runtime: the simulator's Embedded Signup
 * through an accepted solution sends signed account_update deliveries (both events, repeats, either
 * order) to the runtime's webhook; the share worker, fed by the table's stream, shares our credit line
 * (cdk.json's sample line, which the simulator knows); the reconciler hands due retries back; the
 * daily pass (every few seconds here) finds what no webhook told. Assertions are on client records,
 * the status API and the simulator's state.
 */
let runtime: RuntimeProcess;
let pipeline: PipelineDriver;
jest.setTimeout(60_000);

beforeAll(async () => {
  runtime = await startRuntimeProcess({ env: { RECONCILE_INTERVAL_SECONDS: '1', DISCOVERY_INTERVAL_SECONDS: '3' } });
  pipeline = new PipelineDriver(runtime);
}, 90_000);

afterAll(async () => {
  pipeline?.destroy();
  await runtime?.stop();
});

afterEach(() => pipeline.clearControls());

/** One app of a Tech Provider of its own, onboarded until ACCEPTED: its onboarding and solution. */
async function acceptedSolution(userId: string): Promise<{ onboardingId: string; solutionId: string }> {
  const [appId] = await pipeline.techProvider(userId, 1);
  const onboardingId = await pipeline.start(await pipeline.login([appId!], userId));
  const [{ solutionId }] = (await pipeline.settled(onboardingId, ['ACCEPTED'])) as [{ solutionId: string }];
  return { onboardingId, solutionId };
}

type Onboarded = { waba: { id: string }; business: { id: string } };
const onboardClient = (solutionId: string, opts: Record<string, unknown>) => pipeline.simulator<Onboarded>('POST', '/__sim/clients', { solutionId, ...opts });

const clientItem = (solutionId: string, wabaId: string) => pipeline.clientItem(solutionId, wabaId);
const itemsOfWaba = async (wabaId: string) =>
  (await pipeline.db.send(new QueryCommand({ TableName: runtime.endpoints.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `WABA#${wabaId}` } }))).Items ?? [];
const shares = async (wabaId: string) => (await pipeline.requests()).filter((r: SimRequest) => r.method === 'POST' && r.path.endsWith('/whatsapp_credit_sharing_and_attach') && r.query.waba_id === wabaId);
const allocationsOf = async (wabaId: string) => (await pipeline.simulator<{ id: string; primaryFundingId?: string }[]>('GET', '/__sim/clients')).find((w) => w.id === wabaId);

async function clientBecomes(solutionId: string, wabaId: string, status: string, timeoutMs = 30_000): Promise<Record<string, any>> {
  return pipeline.waitUntil(`client ${wabaId} ${status}`, async () => {
    const item = await clientItem(solutionId, wabaId);
    return item?.status === status ? item : undefined;
  }, timeoutMs);
}

test('a client told of by both events, twice, in reverse order is recorded once and shared once, and the status API counts it', async () => {
  const { onboardingId, solutionId } = await acceptedSolution('3100000000000001');
  const { waba, business } = await onboardClient(solutionId, { events: 'both', repeat: true, reverse: true });
  const shared = await clientBecomes(solutionId, waba.id, 'CREDIT_SHARED');
  expect(shared).toMatchObject({ ownerBusinessId: business.id, onboardingId, shareAttempts: 1 });
  expect(Object.keys(shared.toldBy).sort()).toEqual(['PARTNER_ADDED', 'PARTNER_APP_INSTALLED']);
  expect(await itemsOfWaba(waba.id)).toHaveLength(1);
  expect(await shares(waba.id)).toHaveLength(1);
  expect((await allocationsOf(waba.id))?.primaryFundingId).toBe(shared.fundingId);
  const status = await (await fetch(`${runtime.endpoints.http}/api/onboardings/${onboardingId}`)).json();
  expect(status.solutions[0]).toMatchObject({ solutionId, clients: 1 });
});

test('transient failures and a lost answer are retried from the record: shared once in effect', async () => {
  const { solutionId } = await acceptedSolution('3100000000000002');
  await pipeline.addFault({ operation: 'solution_access_token', times: 2, effect: { type: 'error', status: 503, code: 2, isTransient: true } });
  await pipeline.addFault({ operation: 'share_credit_line', times: 1, phase: 'after', effect: { type: 'error', status: 500, code: 1, isTransient: true } });
  const { waba } = await onboardClient(solutionId, { events: 'added' });
  const shared = await clientBecomes(solutionId, waba.id, 'CREDIT_SHARED', 45_000);
  expect(shared.shareAttempts).toBeGreaterThanOrEqual(3);
  // The share whose answer was lost is the one in effect: found on the WABA, never made twice.
  expect(await shares(waba.id)).toHaveLength(1);
  expect(shared.history.some((e: { note?: string }) => e.note?.startsWith('our credit line was already on the WABA'))).toBe(true);
});

test('a permission refusal ends CREDIT_FAILED with Graph’s error and stays there', async () => {
  const { solutionId } = await acceptedSolution('3100000000000003');
  await pipeline.addFault({ operation: 'share_credit_line', times: 1, effect: { type: 'error', status: 403, code: 200, message: '(#200) Permissions error' } });
  const { waba } = await onboardClient(solutionId, { events: 'installed' });
  const failed = await clientBecomes(solutionId, waba.id, 'CREDIT_FAILED');
  expect(failed.lastError).toMatchObject({ code: 200, reason: 'GRAPH_REFUSED', message: '(#200) Permissions error' });
  // Several reconciler passes later: still CREDIT_FAILED, nothing more asked of Graph.
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  expect((await clientItem(solutionId, waba.id))?.status).toBe('CREDIT_FAILED');
  expect(await shares(waba.id)).toHaveLength(1);
});

test('a client no webhook told of is found by the daily pass and shared', async () => {
  const { solutionId } = await acceptedSolution('3100000000000004');
  const { waba } = await onboardClient(solutionId, { noWebhook: true });
  const shared = await clientBecomes(solutionId, waba.id, 'CREDIT_SHARED', 45_000);
  expect(Object.keys(shared.toldBy)).toEqual(['DAILY_PASS']);
});

test('a client of a solution that is not ours, of none, or badly signed is never recorded; a leaving client is REMOVED, even when its leaving comes first', async () => {
  const { onboardingId, solutionId } = await acceptedSolution('3100000000000005');
  const foreign = { event: 'PARTNER_ADDED', waba_info: { waba_id: '555000000000001', owner_business_id: '555000000000002', solution_id: '999999999999999' } };
  const none = { event: 'PARTNER_ADDED', waba_info: { waba_id: '555000000000003', owner_business_id: '555000000000002' } };
  await pipeline.simulator('POST', '/__sim/webhooks/account-update', { value: foreign });
  await pipeline.simulator('POST', '/__sim/webhooks/account-update', { value: none });
  // Our own solution's client, but badly signed: refused (401), nothing written.
  const forged = { event: 'PARTNER_ADDED', waba_info: { waba_id: '555000000000004', owner_business_id: '555000000000002', solution_id: solutionId } };
  const { index } = await pipeline.simulator<{ index: number }>('POST', '/__sim/webhooks/account-update', { value: forged, badSignature: true });
  await pipeline.waitUntil('the forged delivery answered', async () => {
    const { deliveries } = await pipeline.simulator<{ deliveries: { index: number; lastHttpStatus: number | null }[] }>('GET', '/__sim/webhooks');
    return deliveries.find((d) => d.index === index && d.lastHttpStatus === 401);
  });
  const { waba } = await onboardClient(solutionId, { events: 'added' });
  await clientBecomes(solutionId, waba.id, 'CREDIT_SHARED');
  expect(await itemsOfWaba('555000000000001')).toEqual([]);
  expect(await itemsOfWaba('555000000000003')).toEqual([]);
  expect(await itemsOfWaba('555000000000004')).toEqual([]);
  expect((await shares('555000000000001')).length + (await shares('555000000000003')).length).toBe(0);
  const clientsOnTheStatusLink = async () => (await (await fetch(`${runtime.endpoints.http}/api/onboardings/${onboardingId}`)).json()).solutions[0].clients;
  expect(await clientsOnTheStatusLink()).toBe(1);
  await pipeline.simulator('POST', `/__sim/clients/${waba.id}/remove`);
  await clientBecomes(solutionId, waba.id, 'REMOVED');
  expect(await clientsOnTheStatusLink()).toBe(0);

  // Out of order: a WABA's leaving delivered before its joining. It is recorded gone, never shared.
  const wabaInfo = { waba_id: '555000000000005', owner_business_id: '555000000000002' };
  const now = Math.floor(Date.now() / 1000);
  await pipeline.simulator('POST', '/__sim/webhooks/account-update', { value: { event: 'PARTNER_REMOVED', waba_info: wabaInfo }, time: now });
  await pipeline.simulator('POST', '/__sim/webhooks/account-update', { value: { event: 'PARTNER_ADDED', waba_info: { ...wabaInfo, solution_id: solutionId } }, time: now - 60 });
  const gone = await clientBecomes(solutionId, '555000000000005', 'REMOVED');
  expect(gone).toMatchObject({ removedBy: 'PARTNER_REMOVED' });
  expect(await shares('555000000000005')).toHaveLength(0);
  expect(await clientsOnTheStatusLink()).toBe(0);
});
