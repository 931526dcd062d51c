import { TransitionRefusedError } from '../../lambdas/domain/item-move';
import { CLIENT_TRANSITIONS, planClientTransition, type ClientTransitionName } from '../../lambdas/domain/clients/client-transitions';
import type { ClientRecord } from '../../lambdas/domain/clients/client-record';
import { CLIENT_STATUS_FACTS, CLIENT_STATUSES, type ClientStatus } from '../../lambdas/domain/clients/client-status';
import { SOLUTION_STATUSES } from '../../lambdas/domain/solution-status';
import { MemoryClientPorts, memoryClientStore } from '../support/memory-client-store';

const T0 = '2026-12-07T10:00:00.000Z';
const now = new Date('2026-12-07T10:05:00.000Z');
const key = { solutionId: '1715120619246906', wabaId: '980198427658004' };

function clientIn(status: ClientStatus): ClientRecord {
  return {
    ...key,
    ownerBusinessId: '2329417887457253',
    appId: '634974688087057',
    onboardingId: 'onb-1',
    status,
    toldBy: { PARTNER_ADDED: T0 },
    shareAttempts: 2,
    nextAttemptAt: '2026-12-07T10:01:00.000Z',
    removedAt: T0,
    createdAt: T0,
    updatedAt: T0,
  };
}

/** A request every guard of the table holds for `clientIn`'s client: the matrix tests the moves alone. */
const anyRequest = (to: ClientStatus) => ({
  now,
  to,
  attempt: 2,
  seenNextAttemptAt: '2026-12-07T10:01:00.000Z',
  seenUpdatedAt: T0,
  leaseUntil: new Date(now.getTime() + 60_000),
  retryUntil: new Date(now.getTime() + 3_600_000),
  allocationConfigId: '58501441721238',
  fundingId: '8430000000000001',
  alreadyOurs: false,
  error: { code: 2, message: 'Service temporarily unavailable' },
  nextAttemptAt: new Date(now.getTime() + 30_000),
  event: 'PARTNER_REMOVED' as const,
  observedAt: now,
  source: 'PARTNER_APP_INSTALLED' as const,
});

const declared = new Set(
  Object.values(CLIENT_TRANSITIONS).flatMap((spec) => Object.entries(spec.moves as Record<string, readonly string[]>).flatMap(([from, tos]) => tos.map((to) => `${from} → ${to}`))),
);

describe('the clients\u2019 transition table', () => {
  it('names no status a solution has: client items share the byStatus index with solution items', () => {
    expect(CLIENT_STATUSES.filter((s) => (SOLUTION_STATUSES as readonly string[]).includes(s))).toEqual([]);
  });

  it('changes the joined count exactly when a move leaves or enters a joined status', () => {
    for (const [name, spec] of Object.entries(CLIENT_TRANSITIONS) as [string, { moves: Partial<Record<ClientStatus, readonly ClientStatus[]>>; tally?: number }][]) {
      for (const [from, tos] of Object.entries(spec.moves) as [ClientStatus, readonly ClientStatus[]][]) {
        for (const to of tos) {
          const change = Number(CLIENT_STATUS_FACTS[to].joined) - Number(CLIENT_STATUS_FACTS[from].joined);
          expect({ name, from, to, tally: spec.tally ?? 0 }).toEqual({ name, from, to, tally: change });
        }
      }
    }
  });

  it('moves every status exactly where the table says, and writes nothing anywhere else', async () => {
    const applied = new Set<string>();
    for (const name of Object.keys(CLIENT_TRANSITIONS) as ClientTransitionName[]) {
      const moves = CLIENT_TRANSITIONS[name].moves as Partial<Record<ClientStatus, readonly ClientStatus[]>>;
      for (const from of CLIENT_STATUSES) {
        for (const to of CLIENT_STATUSES) {
          const ports = new MemoryClientPorts();
          ports.seed(clientIn(from));
          const before = await ports.getClient(key);
          let result;
          try {
            result = await ports.applyClientMove(key, planClientTransition(name, anyRequest(to) as never));
          } catch (error) {
            expect(error).toBeInstanceOf(TransitionRefusedError);
            result = { applied: false };
          }
          const allowed = moves[from]?.includes(to) ?? false;
          expect({ name, from, to, applied: result.applied }).toEqual({ name, from, to, applied: allowed });
          if (allowed) {
            expect((await ports.getClient(key))!.status).toBe(to);
            applied.add(`${from} → ${to}`);
          } else {
            expect(await ports.getClient(key)).toEqual(before);
          }
        }
      }
    }
    expect([...applied].sort()).toEqual([...declared].sort());
  });
});

describe('the clients\u2019 named writes', () => {
  it('a claim takes a NEW client once, counts the attempt and fixes the retry period once', async () => {
    const { clients, ports } = memoryClientStore();
    ports.seed({ ...clientIn('NEW'), shareAttempts: undefined, nextAttemptAt: undefined });
    const claim = await clients.claimShare(key, now, { leaseMs: 60_000, retryPeriodMs: 3_600_000 });
    expect(claim?.attempt).toBe(1);
    expect(claim?.record).toMatchObject({ status: 'SHARING', nextAttemptAt: '2026-12-07T10:06:00.000Z', shareRetryUntil: '2026-12-07T11:05:00.000Z' });
    // A repeated stream record meets SHARING.
    expect(await clients.claimShare(key, now, { leaseMs: 60_000, retryPeriodMs: 3_600_000 })).toBeUndefined();
    // Re-armed and claimed again: attempt 2, the retry period as the first attempt fixed it.
    expect(await clients.rearmShare((await clients.getClient(key))!, new Date('2026-12-07T10:07:00.000Z'))).toBe(true);
    const again = await clients.claimShare(key, new Date('2026-12-07T10:08:00.000Z'), { leaseMs: 60_000, retryPeriodMs: 3_600_000 });
    expect(again).toMatchObject({ attempt: 2, record: { shareRetryUntil: '2026-12-07T11:05:00.000Z' } });
  });

  it('a stale attempt cannot write: its number fences it', async () => {
    const { clients, ports } = memoryClientStore();
    ports.seed({ ...clientIn('SHARING'), shareAttempts: 3 });
    expect(await clients.recordShared(key, 2, { allocationConfigId: 'a', fundingId: 'f', alreadyOurs: false }, now)).toBe(false);
    expect(await clients.recordShareFailed(key, 2, { code: 200, message: 'x' }, now)).toBe(false);
    expect(await clients.recordShareRetry(key, 2, { code: 2, message: 'x' }, now, now)).toBe(false);
    expect((await clients.getClient(key))!.status).toBe('SHARING');
    expect(await clients.recordShared(key, 3, { allocationConfigId: 'a', fundingId: 'f', alreadyOurs: false }, now)).toBe(true);
  });

  it('the reconciler re-arms and nudges only a client as it read it', async () => {
    const { clients, ports } = memoryClientStore();
    ports.seed(clientIn('SHARING'));
    expect(await clients.rearmShare({ ...key, nextAttemptAt: '2026-12-07T10:02:00.000Z' }, now)).toBe(false);
    expect(await clients.rearmShare({ ...key, nextAttemptAt: '2026-12-07T10:01:00.000Z' }, now)).toBe(true);
    const rearmed = (await clients.getClient(key))!;
    expect(rearmed).toMatchObject({ status: 'NEW', shareAttempts: 2 });
    expect(rearmed.nextAttemptAt).toBeUndefined();
    expect(await clients.nudgeShare({ ...key, updatedAt: T0 }, now)).toBe(false);
    expect(await clients.nudgeShare(rearmed, new Date(now.getTime() + 1000))).toBe(true);
  });

  it('notes when each source first told of a client, and never again', async () => {
    const { clients, ports } = memoryClientStore();
    ports.seed(clientIn('CREDIT_SHARED'));
    await clients.noteToldBy(key, 'PARTNER_APP_INSTALLED', new Date('2026-12-07T10:02:00.000Z'), now);
    await clients.noteToldBy(key, 'PARTNER_APP_INSTALLED', new Date('2026-12-07T10:01:00.000Z'), now);
    await clients.noteToldBy(key, 'PARTNER_ADDED', new Date('2026-12-07T09:00:00.000Z'), now);
    const client = (await clients.getClient(key))!;
    expect(client.toldBy).toEqual({ PARTNER_ADDED: T0, PARTNER_APP_INSTALLED: '2026-12-07T10:02:00.000Z' });
    expect(client).toMatchObject({ status: 'CREDIT_SHARED', updatedAt: T0 });
  });

  it('a client joins again only with news newer than its leaving', async () => {
    const { clients, ports } = memoryClientStore();
    ports.seed({ ...clientIn('REMOVED'), removedAt: '2026-12-07T10:02:00.000Z', removedBy: 'PARTNER_REMOVED' });
    expect(await clients.recordRejoined(key, 'PARTNER_ADDED', new Date('2026-12-07T10:02:00.000Z'), now)).toBe(false);
    expect(await clients.recordRejoined(key, 'PARTNER_ADDED', new Date('2026-12-07T10:03:00.000Z'), now)).toBe(true);
    expect((await clients.getClient(key))!).toMatchObject({ status: 'NEW' });
  });

  it('ops reopen only a failed or unshared client, clearing its attempts', async () => {
    for (const status of CLIENT_STATUSES) {
      const { clients, ports } = memoryClientStore();
      ports.seed({ ...clientIn(status), lastError: { code: 200, message: '(#200) Permissions error', reason: 'GRAPH_REFUSED' }, shareRetryUntil: T0 });
      const reopened = await clients.reopenShare(key, now);
      expect({ status, reopened }).toEqual({ status, reopened: status === 'CREDIT_FAILED' || status === 'NOT_SHARED' });
      if (reopened) {
        const client = (await clients.getClient(key))!;
        expect(client.status).toBe('NEW');
        expect([client.shareAttempts, client.lastError, client.shareRetryUntil, client.nextAttemptAt]).toEqual([undefined, undefined, undefined, undefined]);
        expect(client.history?.at(-1)).toMatchObject({ status: 'NEW', by: 'ops', note: 'credit sharing retried' });
      }
    }
  });

  it('a refused move is reported with the client and writes nothing', async () => {
    const refusals: unknown[] = [];
    const { clients, ports } = memoryClientStore((refusal, item) => refusals.push({ transition: refusal.transition, from: refusal.from, item }));
    ports.seed(clientIn('REMOVED'));
    await expect(clients.recordRemoved(key, 'PARTNER_REMOVED', now, now)).resolves.toBe(false);
    expect(refusals).toEqual([]);
    expect((await clients.getClient(key))!.status).toBe('REMOVED');
  });
});
