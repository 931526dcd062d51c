import type { ClientRecord } from '../../lambdas/domain/clients/client-record';
import type { SolutionRecord } from '../../lambdas/domain/records';
import { parseClientStatuses, parseRecordId } from '../../ops/args';
import { clientsCommand } from '../../ops/commands/clients';
import { retryCommand } from '../../ops/commands/retry';
import { showCommand } from '../../ops/commands/show';
import { statsCommand } from '../../ops/commands/stats';
import type { OpsTarget } from '../../ops/target';
import { memoryClientStore } from '../support/memory-client-store';
import { memoryRecordStore } from '../support/memory-record-store';

/**
 * The ops CLI's client commands on in-memory stores: `clients`, `show <wabaId>`, `retry <wabaId>`
 * and the clients' part of `stats`.
 */
const NOW = new Date('2026-12-07T12:00:00.000Z');
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000);
const [SOLUTION_A, SOLUTION_B] = ['9100000000000001', '9100000000000002'];
const [APP_A, APP_B] = ['634974688080001', '634974688080002'];
const ONBOARDING = '4a1f0b6e-8a2d-4c1e-9f5b-2d7c3e1a0b9c';
const REFUSED = { code: 200, message: '(#200) Requires business_management permission to manage the object', fbtraceId: 'AbCdEf123', reason: 'GRAPH_REFUSED' as const };

function client(solutionId: string, wabaId: string, appId: string, createdAt: Date): ClientRecord {
  const iso = createdAt.toISOString();
  return { solutionId, wabaId, ownerBusinessId: `5${wabaId.slice(1)}`, appId, onboardingId: ONBOARDING, status: 'NEW', toldBy: { PARTNER_ADDED: iso }, createdAt: iso, updatedAt: iso };
}

/** Three clients of solution A (one shared, one refused, one new), one of B; ACCEPTED items for both apps. */
async function world() {
  const { store, ports } = memoryRecordStore();
  const { clients } = memoryClientStore();
  const lease = { leaseMs: 60_000, retryPeriodMs: 86_400_000 };
  await clients.recordNewClient(client(SOLUTION_A, '7100000000000001', APP_A, at(50)));
  await clients.recordNewClient(client(SOLUTION_A, '7100000000000002', APP_A, at(40)));
  await clients.recordNewClient(client(SOLUTION_A, '7100000000000003', APP_A, at(30)));
  await clients.recordNewClient(client(SOLUTION_B, '7100000000000001', APP_B, at(20)));
  const shared = { solutionId: SOLUTION_A, wabaId: '7100000000000001' };
  await clients.claimShare(shared, at(49), lease);
  await clients.recordShared(shared, 1, { allocationConfigId: '8800000000000001', fundingId: '9900000000000001', alreadyOurs: false }, at(48));
  const refused = { solutionId: SOLUTION_A, wabaId: '7100000000000002' };
  await clients.claimShare(refused, at(39), lease);
  await clients.recordShareFailed(refused, 1, REFUSED, at(10));
  for (const [appId, solutionId] of [[APP_A, SOLUTION_A], [APP_B, SOLUTION_B]] as const) {
    const iso = at(60).toISOString();
    await ports.seed({ onboardingId: ONBOARDING, appId, appName: `app ${appId}`, solutionName: `SP × ${appId}`, status: 'ACCEPTED', solutionId, attempts: 1, acceptAttempts: 1, createdAt: iso, updatedAt: iso } as SolutionRecord);
  }
  const target = { name: 'memory', store, clients, queues: {}, config: { weeklyClientLimit: 4, createRedeliveryMs: 1000, acceptLeaseMs: 1000 } } as unknown as OpsTarget;
  return { clients, target };
}

describe('ops clients', () => {
  test('lists every client newest change first: WABA, solution, owner, status, allocation, tries, error', async () => {
    const { clients } = await world();
    const result = await clientsCommand(clients, { limit: 50 });
    expect(result.lines[0]).toMatch(/^UPDATED\s+STATUS\s+WABA\s+SOLUTION\s+OWNER BUSINESS\s+ALLOCATION\s+TRIES\s+ERROR$/);
    expect(result.lines.slice(1).map((l) => l.split(/\s+/).slice(1, 4).join(' '))).toEqual([
      `CREDIT_FAILED 7100000000000002 ${SOLUTION_A}`,
      `NEW 7100000000000001 ${SOLUTION_B}`,
      `NEW 7100000000000003 ${SOLUTION_A}`,
      `CREDIT_SHARED 7100000000000001 ${SOLUTION_A}`,
    ]);
    expect(result.lines[1]).toContain('GRAPH_REFUSED: code 200 (#200) Requires business_management');
    expect(result.lines[4]).toMatch(/5100000000000001\s+8800000000000001\s+1\s*$/);
    expect((result.data as { items: Record<string, unknown>[] }).items[0]).toMatchObject({ wabaId: '7100000000000002', status: 'CREDIT_FAILED', shareAttempts: 1, lastError: REFUSED });
  });

  test('--solution, --status and --since narrow it', async () => {
    const { clients } = await world();
    const wabas = async (options: Parameters<typeof clientsCommand>[1]) => ((await clientsCommand(clients, options)).data as { items: ClientRecord[] }).items.map((c) => `${c.solutionId}/${c.wabaId}`);
    expect(await wabas({ solutionId: SOLUTION_B, limit: 50 })).toEqual([`${SOLUTION_B}/7100000000000001`]);
    expect(await wabas({ statuses: ['CREDIT_FAILED', 'CREDIT_SHARED'], limit: 50 })).toEqual([`${SOLUTION_A}/7100000000000002`, `${SOLUTION_A}/7100000000000001`]);
    expect(await wabas({ solutionId: SOLUTION_A, statuses: ['NEW'], limit: 50 })).toEqual([`${SOLUTION_A}/7100000000000003`]);
    expect(await wabas({ since: at(25).toISOString(), limit: 50 })).toEqual([`${SOLUTION_A}/7100000000000002`, `${SOLUTION_B}/7100000000000001`]);
    expect((await clientsCommand(clients, { statuses: ['REMOVED'], limit: 50 })).lines).toEqual(['No clients match.']);
  });

  test('--status takes the clients’ statuses only, and says which', () => {
    expect(parseClientStatuses(['credit_failed,not_shared'])).toEqual(['CREDIT_FAILED', 'NOT_SHARED']);
    expect(() => parseClientStatuses(['ACCEPTED'])).toThrow('--status ACCEPTED: one of NEW, SHARING, CREDIT_SHARED, CREDIT_FAILED, NOT_SHARED, REMOVED');
  });
});

describe('ops show <wabaId>', () => {
  test('each client record of the WABA with its timeline, the last error with its trace ID', async () => {
    const { target } = await world();
    const result = await showCommand(target, parseRecordId('7100000000000001'));
    const text = result.lines.join('\n');
    expect(result.lines[0]).toBe('WABA 7100000000000001: a client through 2 solutions');
    expect(text).toContain(`solution ${SOLUTION_A} (app ${APP_A}, onboarding ${ONBOARDING}): CREDIT_SHARED`);
    expect(text).toContain(`solution ${SOLUTION_B} (app ${APP_B}, onboarding ${ONBOARDING}): NEW`);
    expect(text).toContain('credit allocation 8800000000000001; WABA funding 9900000000000001');
    expect(text).toMatch(/CREDIT_SHARED\s+pipeline attempt 1\s+allocation 8800000000000001/);

    const refused = await showCommand(target, parseRecordId('7100000000000002'));
    expect(refused.lines.join('\n')).toContain('last error: GRAPH_REFUSED: code 200 (#200) Requires business_management permission to manage the object (fbtrace_id AbCdEf123)');
    expect((refused.data as { clients: { history: unknown[] }[] }).clients[0]!.history).toHaveLength(3);
  });

  test('an ID that is no solution, app or WABA of ours is not found (exit 3)', async () => {
    const { target } = await world();
    await expect(showCommand(target, parseRecordId('7199999999999999'))).rejects.toMatchObject({ exitCode: 3, message: 'no solution, app or WABA 7199999999999999 in this table' });
  });
});

describe('ops retry <wabaId>', () => {
  test('a CREDIT_FAILED client is NEW again, its attempts and error cleared, the retry on its timeline', async () => {
    const { target, clients } = await world();
    const key = { solutionId: SOLUTION_A, wabaId: '7100000000000002' };
    const dry = await retryCommand(target, { ids: [parseRecordId(key.wabaId)], limit: 10, dryRun: true }, () => NOW);
    expect(dry.lines.join('\n')).toContain('credit sharing would be retried');
    expect((await clients.getClient(key))!.status).toBe('CREDIT_FAILED');

    const result = await retryCommand(target, { ids: [parseRecordId(key.wabaId)], limit: 10, dryRun: false }, () => NOW);
    expect(result.exitCode).toBe(0);
    expect(result.lines).toContain('1 of 1 retried.');
    const after = (await clients.getClient(key))!;
    expect(after).toMatchObject({ status: 'NEW', updatedAt: NOW.toISOString() });
    expect(after.lastError).toBeUndefined();
    expect(after.shareAttempts).toBeUndefined();
    expect(after.history!.at(-1)).toMatchObject({ status: 'NEW', by: 'ops', note: 'credit sharing retried' });
  });

  test('a client in any other status is left as it is, with a clear message (exit 1)', async () => {
    const { target, clients } = await world();
    const result = await retryCommand(target, { ids: [parseRecordId('7100000000000001')], limit: 10, dryRun: false }, () => NOW);
    expect(result.exitCode).toBe(1);
    expect(result.lines.join('\n')).toMatch(new RegExp(`7100000000000001\\s+${SOLUTION_A}\\s+CREDIT_SHARED\\s+not retried: it is CREDIT_SHARED; only CREDIT_FAILED or NOT_SHARED clients are retried`));
    expect(result.lines).toContain('0 of 2 retried.');
    expect((await clients.getClient({ solutionId: SOLUTION_A, wabaId: '7100000000000001' }))!.status).toBe('CREDIT_SHARED');
  });
});

describe('ops stats: clients', () => {
  test('clients by status, and each app with a live solution: its new clients of 7 days against the limit, flagged from 80 %', async () => {
    const { target, clients } = await world();
    // A client recorded 8 days ago no longer counts against the week.
    await clients.recordNewClient(client(SOLUTION_B, '7100000000000009', APP_B, at(8 * 24 * 60)));
    const result = await statsCommand(target, at(24 * 60).toISOString(), NOW);
    const data = result.data as { clients: { status: string; clients: number }[]; weeklyClients: unknown[] };
    expect(data.clients).toEqual([
      { status: 'NEW', clients: 3 },
      { status: 'SHARING', clients: 0 },
      { status: 'CREDIT_SHARED', clients: 1 },
      { status: 'CREDIT_FAILED', clients: 1 },
      { status: 'NOT_SHARED', clients: 0 },
      { status: 'REMOVED', clients: 0 },
    ]);
    // The limit is 4 here: app A's 3 are 75 %, under the warning; 1 more would be 100 %.
    expect(data.weeklyClients).toEqual([
      { appId: APP_A, newClients: 3, limit: 4, percent: 75, nearLimit: false },
      { appId: APP_B, newClients: 1, limit: 4, percent: 25, nearLimit: false },
    ]);
    await clients.recordNewClient(client(SOLUTION_A, '7100000000000004', APP_A, at(5)));
    const again = await statsCommand(target, at(24 * 60).toISOString(), NOW);
    expect(again.lines).toContain('New clients per Tech Provider app in the last 7 days (Meta allows 4; warned at 80 %):');
    expect(again.lines.find((l) => l.startsWith(APP_A))).toMatch(/^634974688080001\s+4\s+100 %\s+NEAR THE LIMIT$/);
  });
});
