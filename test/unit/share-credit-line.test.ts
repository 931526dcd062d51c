import { jest } from '@jest/globals';
import { shareCreditLine, systemUserTasks, wakeShare, type ShareCreditDeps } from '../../lambdas/domain/clients/share-credit-line';
import type { ClientKey, ClientRecord } from '../../lambdas/domain/clients/client-record';
import { ClientGraphClient } from '../../lambdas/graph/client-graph-client';
import { SCHEDULE } from '../../lambdas/schedule';
import { startGraphSimulator, type GraphSimulator } from '../../local/graph-simulator/server';
import { DEFAULT_SEED } from '../../local/graph-simulator/state';
import { memoryClientStore } from '../support/memory-client-store';

/**
 * Sharing our credit line with a client, against the Graph simulator (which follows
 * docs/graph-api.md): the record's outcome and what Graph holds afterwards.
 */

const APP = '634974688087057';
const CREDIT_LINE = DEFAULT_SEED.creditLines[0]!.id;
let sim: GraphSimulator;
const now = new Date('2026-12-07T10:00:00.000Z');

beforeAll(async () => {
  sim = await startGraphSimulator();
});
afterAll(() => sim.stop());
beforeEach(() => sim.state.reset());

function activeSolution(partnerPermissions = ['MESSAGING']): string {
  const ownerPermissions = partnerPermissions.includes('MESSAGING') ? [] : ['MESSAGING'];
  const solution = sim.state.createSolution({ id: APP, name: 'media_monsoon_prod' }, { name: 'clients', ownerPermissions, partnerPermissions });
  sim.state.acceptInvitation(solution.id, sim.state.partnerApp.id);
  return solution.id;
}

async function newClient(opts: { partnerPermissions?: string[]; fundedBy?: 'other' } = {}) {
  const solutionId = activeSolution(opts.partnerPermissions);
  const { waba, business } = sim.state.onboardClient(solutionId, { noWebhook: true, events: 'added', ...(opts.fundedBy ? { fundedBy: opts.fundedBy } : {}) });
  const { clients, ports } = memoryClientStore();
  const record: ClientRecord = {
    solutionId,
    wabaId: waba.id,
    ownerBusinessId: business.id,
    appId: APP,
    onboardingId: 'onb-1',
    status: 'NEW',
    toldBy: { PARTNER_ADDED: now.toISOString() },
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await clients.recordNewClient(record);
  const wake = jest.fn(async (_key: ClientKey, _at: Date): Promise<void> => undefined);
  const deps = (overrides: Partial<ShareCreditDeps['settings']> = {}): ShareCreditDeps => ({
    clients,
    graph: new ClientGraphClient({ baseUrl: sim.url, version: 'v25.0', timeoutMs: 2000, appListingPath: 'me/assigned_applications' }),
    settings: {
      systemUserId: DEFAULT_SEED.systemUserId,
      creditLine: { id: CREDIT_LINE, currency: 'USD' },
      partnerPermissions: opts.partnerPermissions ?? ['MESSAGING'],
      leaseMs: 60_000,
      retryPeriodMs: 3_600_000,
      backoff: SCHEDULE.acceptBackoff,
      ...overrides,
    },
    systemUserToken: async () => DEFAULT_SEED.systemUserToken,
    wake,
    clock: () => now,
    random: () => 0.5,
  });
  const key = { solutionId, wabaId: waba.id };
  return { key, clients, ports, deps, waba, wake };
}

const calls = (operationPath: RegExp, method = 'POST') => sim.state.requests.filter((r) => r.method === method && operationPath.test(r.path)).length;
const wabaOnGraph = (wabaId: string) => sim.state.clients.wabas.get(wabaId)!;

describe('sharing our credit line with a client', () => {
  it('assigns our system user, shares and attaches the line, verifies it, and records CREDIT_SHARED', async () => {
    const { key, clients, deps, waba } = await newClient();
    const result = await shareCreditLine(key, deps());
    expect(result).toMatchObject({ outcome: 'shared', alreadyOurs: false, attempt: 1 });
    const record = (await clients.getClient(key))!;
    expect(record.status).toBe('CREDIT_SHARED');
    const allocation = sim.state.clients.allocations.get(record.allocationConfigId!)!;
    expect(wabaOnGraph(waba.id).primaryFundingId).toBe(record.fundingId);
    expect(allocation).toBeDefined();
    expect(calls(/whatsapp_credit_sharing_and_attach$/)).toBe(1);
    expect(calls(/assigned_users$/)).toBe(1);
  });

  it('never keeps the client’s business token: not in the record, not in the outcome', async () => {
    const { key, clients, deps } = await newClient();
    const result = await shareCreditLine(key, deps());
    const tokens = sim.state.businessTokens().map((t) => t.token);
    expect(tokens.length).toBeGreaterThan(0);
    const written = JSON.stringify([await clients.getClient(key), result]);
    for (const token of tokens) expect(written).not.toContain(token);
  });

  it('reads the guide’s shape of the business token as well as the reference’s', async () => {
    const { key, deps } = await newClient();
    sim.state.accessTokenShape = 'guide';
    await expect(shareCreditLine(key, deps())).resolves.toMatchObject({ outcome: 'shared' });
  });

  it('asks for MANAGE_BILLING when our app does not hold MESSAGING in the solution', async () => {
    expect(systemUserTasks(['MANAGE'])).toEqual(['MANAGE_BILLING']);
    const { key, deps } = await newClient({ partnerPermissions: ['MANAGE'] });
    await expect(shareCreditLine(key, deps())).resolves.toMatchObject({ outcome: 'shared' });
    expect(sim.state.requests.find((r) => r.path.endsWith('/assigned_users'))?.query.tasks).toBe("['MANAGE_BILLING']");
  });

  it('a share whose answer was lost is found on the WABA by the next attempt: CREDIT_SHARED without a second share', async () => {
    const { key, clients, deps } = await newClient();
    sim.state.controls.addFault({ operation: 'share_credit_line', times: 1, phase: 'after', effect: { type: 'error', status: 503, code: 2, isTransient: true } });
    const first = await shareCreditLine(key, deps());
    expect(first).toMatchObject({ outcome: 'retrying', attempt: 1 });
    expect((await clients.getClient(key))!.status).toBe('SHARING');
    // The reconciler re-arms it once due; the stream hands it to the worker again.
    await clients.rearmShare((await clients.getClient(key))!, now);
    const second = await shareCreditLine(key, deps());
    expect(second).toMatchObject({ outcome: 'shared', alreadyOurs: true, attempt: 2 });
    expect(sim.state.clients.allocations.size).toBe(1);
    expect(calls(/whatsapp_credit_sharing_and_attach$/)).toBe(1);
  });

  it('a share answered but not yet on the WABA is verified again, never shared a second time', async () => {
    const { key, clients, deps, waba } = await newClient();
    // The WABA's funding shows nothing for three reads: the first attempt's two, and the second's.
    sim.state.controls.addFault({ operation: 'read_waba', times: 3, effect: { type: 'answer', status: 200, body: { id: waba.id } } });
    await expect(shareCreditLine(key, deps())).resolves.toMatchObject({ outcome: 'retrying', error: { reason: 'NOT_VERIFIED' } });
    const allocation = (await clients.getClient(key))!.allocationConfigId;
    expect(allocation).toBeDefined();
    await clients.rearmShare((await clients.getClient(key))!, now);
    await expect(shareCreditLine(key, deps())).resolves.toMatchObject({ outcome: 'retrying', attempt: 2 });
    await clients.rearmShare((await clients.getClient(key))!, now);
    await expect(shareCreditLine(key, deps())).resolves.toMatchObject({ outcome: 'shared', alreadyOurs: true, allocationConfigId: allocation, attempt: 3 });
    expect(calls(/whatsapp_credit_sharing_and_attach$/)).toBe(1);
    expect(calls(/assigned_users$/)).toBe(1);
  });

  it('a WABA funded by another partner’s line ends CREDIT_FAILED (OTHER_CREDIT_LINE), nothing shared', async () => {
    const { key, clients, deps } = await newClient({ fundedBy: 'other' });
    await expect(shareCreditLine(key, deps())).resolves.toMatchObject({ outcome: 'failed', gaveUp: false });
    expect((await clients.getClient(key))!).toMatchObject({ status: 'CREDIT_FAILED', lastError: { reason: 'OTHER_CREDIT_LINE' } });
    expect(calls(/whatsapp_credit_sharing_and_attach$/)).toBe(0);
  });

  it('a permission refusal (#200) ends CREDIT_FAILED with Graph’s error and is not retried', async () => {
    const { key, clients, deps } = await newClient();
    sim.state.controls.addFault({ operation: 'share_credit_line', effect: { type: 'error', status: 403, code: 200, message: '(#200) Permissions error' } });
    await expect(shareCreditLine(key, deps())).resolves.toMatchObject({ outcome: 'failed', gaveUp: false });
    const record = (await clients.getClient(key))!;
    expect(record).toMatchObject({ status: 'CREDIT_FAILED', lastError: { code: 200, reason: 'GRAPH_REFUSED', message: '(#200) Permissions error' } });
    expect(record.nextAttemptAt).toBeUndefined();
    // A repeated stream record meets CREDIT_FAILED: nothing more goes to Graph.
    const before = sim.state.requests.length;
    await expect(shareCreditLine(key, deps())).resolves.toEqual({ outcome: 'skipped' });
    expect(sim.state.requests.length).toBe(before);
  });

  it('a transient failure is retried from the record after its backoff; past the retry period it gives up', async () => {
    const { key, clients, deps } = await newClient();
    sim.state.controls.addFault({ operation: 'solution_access_token', effect: { type: 'error', status: 500, code: 1, isTransient: true } });
    const first = await shareCreditLine(key, deps());
    expect(first).toMatchObject({ outcome: 'retrying', attempt: 1 });
    const waiting = (await clients.getClient(key))!;
    expect(waiting).toMatchObject({ status: 'SHARING', lastError: { code: 1 } });
    expect(waiting.nextAttemptAt! > now.toISOString()).toBe(true);
    await clients.rearmShare(waiting, now);
    const gaveUp = await shareCreditLine(key, deps({ retryPeriodMs: 1 }));
    // The retry period was fixed by the first attempt (an hour): still retrying.
    expect(gaveUp).toMatchObject({ outcome: 'retrying', attempt: 2 });
    const late = memoryClientStore();
    late.ports.seed({ ...(await clients.getClient(key))!, status: 'NEW', shareRetryUntil: now.toISOString() });
    await expect(shareCreditLine(key, { ...deps(), clients: late.clients })).resolves.toMatchObject({ outcome: 'failed', gaveUp: true, error: { reason: 'RETRY_PERIOD_OVER' } });
  });

  it('without a configured credit line, records NOT_SHARED (NO_CREDIT_LINE) and calls nothing', async () => {
    const { key, clients, deps } = await newClient();
    await expect(shareCreditLine(key, deps({ creditLine: undefined }))).resolves.toEqual({ outcome: 'not-shared' });
    expect((await clients.getClient(key))!).toMatchObject({ status: 'NOT_SHARED', lastError: { reason: 'NO_CREDIT_LINE' } });
    expect(sim.state.requests).toHaveLength(0);
  });

  it('a scheduled retry is woken at its next attempt time, after the record holds it; none for an attempt that ends', async () => {
    const { key, clients, deps, wake } = await newClient();
    sim.state.controls.addFault({ operation: 'share_credit_line', times: 1, effect: { type: 'error', status: 400, code: 4, message: '(#4) Application request limit reached' } });
    const first = await shareCreditLine(key, deps());
    expect(first).toMatchObject({ outcome: 'retrying', attempt: 1 });
    const waiting = (await clients.getClient(key))!;
    expect(wake).toHaveBeenCalledTimes(1);
    expect(wake).toHaveBeenCalledWith(key, new Date(waiting.nextAttemptAt!));
    expect(first).toMatchObject({ nextAttemptAt: waiting.nextAttemptAt });
    expect(first).not.toHaveProperty('wakeFailed');
    await clients.rearmShare(waiting, now);
    await expect(shareCreditLine(key, deps())).resolves.toMatchObject({ outcome: 'shared' });
    expect(wake).toHaveBeenCalledTimes(1);
  });

  it('a wake-up that cannot be sent is reported; the retry stays on the record for the reconciler', async () => {
    const { key, clients, deps, wake } = await newClient();
    wake.mockRejectedValue(new Error('SQS is down'));
    sim.state.controls.addFault({ operation: 'share_credit_line', times: 1, effect: { type: 'error', status: 503, code: 2, isTransient: true } });
    await expect(shareCreditLine(key, deps())).resolves.toMatchObject({ outcome: 'retrying', wakeFailed: 'Error: SQS is down' });
    expect((await clients.getClient(key))!.status).toBe('SHARING');
  });
});

describe('a wake-up for a client’s retry', () => {
  it('hands a client whose retry is due back to NEW for the worker; a repeated wake-up does nothing more', async () => {
    const { key, clients, deps } = await newClient();
    sim.state.controls.addFault({ operation: 'share_credit_line', times: 1, effect: { type: 'error', status: 503, code: 2, isTransient: true } });
    await shareCreditLine(key, deps());
    const { nextAttemptAt } = (await clients.getClient(key))!;
    await expect(wakeShare({ ...key, dueAt: nextAttemptAt! }, { clients, clock: () => new Date(nextAttemptAt!) })).resolves.toBe(true);
    expect((await clients.getClient(key))!).toMatchObject({ status: 'NEW' });
    await expect(wakeShare({ ...key, dueAt: nextAttemptAt! }, { clients, clock: () => new Date(nextAttemptAt!) })).resolves.toBe(false);
  });

  it.each([
    ['shared since', 'shared'],
    ['claimed again (its next attempt is another’s)', 'claimed'],
  ] as const)('leaves a client %s alone: nothing written, no Graph call', async (_, since) => {
    const { key, clients, deps } = await newClient();
    sim.state.controls.addFault({ operation: 'share_credit_line', times: 1, effect: { type: 'error', status: 503, code: 2, isTransient: true } });
    await shareCreditLine(key, deps());
    const { nextAttemptAt } = (await clients.getClient(key))!;
    await clients.rearmShare((await clients.getClient(key))!, now);
    if (since === 'shared') await shareCreditLine(key, deps());
    else await clients.claimShare(key, now, { leaseMs: 60_000, retryPeriodMs: 3_600_000 });
    const before = { record: await clients.getClient(key), requests: sim.state.requests.length };
    await expect(wakeShare({ ...key, dueAt: nextAttemptAt! }, { clients, clock: () => new Date(nextAttemptAt!) })).resolves.toBe(false);
    expect(await clients.getClient(key)).toEqual(before.record);
    expect(sim.state.requests.length).toBe(before.requests);
  });
});
