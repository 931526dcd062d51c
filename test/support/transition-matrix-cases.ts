import { TransitionRefusedError } from '../../lambdas/domain/item-move';
import type { SolutionRecord } from '../../lambdas/domain/records';
import type { RecordStore } from '../../lambdas/domain/records/record-store';
import { SOLUTION_STATUSES, type SolutionStatus } from '../../lambdas/domain/solution-status';
import { SOLUTION_TRANSITIONS, type RequestOf, type TransitionName } from '../../lambdas/domain/solution-transitions';
import { canMove, SOLUTION_MOVES, toStatuses } from '../../lambdas/domain/status-sets';
import { allStay } from '../../lambdas/domain/transition-plan';

/** A record store to run the matrix on, and a way to put an item in any status as it stands. */
export interface MatrixFixture {
  store: RecordStore;
  seed(record: SolutionRecord): Promise<void>;
}

const T0 = new Date('2026-12-01T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const ERROR = { code: 2, message: 'Service temporarily unavailable' };

/**
 * Per transition: what the item holds besides its status, and the request, such that every guard
 * holds; only the status decides. `to` is passed when the transition may lead to several statuses.
 */
type Case<N extends TransitionName> = { item?: Partial<SolutionRecord>; request: (from: SolutionStatus, to: SolutionStatus | undefined) => RequestOf<N> };
const CASES: { [N in TransitionName]: Case<N> } = {
  claimCreate: { request: () => ({ now: T0, leaseExpiresAt: at(30_000).getTime(), nextAttemptAt: at(180_000), tookOverGuard: false }) },
  recordCreated: { request: () => ({ now: T0, attempt: 1, solutionId: 'sol-new' }) },
  recordExistingFound: { request: (_, to) => ({ now: T0, attempt: 1, solutionId: 'sol-live', to }) },
  recordExistingElsewhere: { request: (_, to) => ({ now: T0, solutionId: 'sol-live', to }) },
  recordCreateFailed: { request: () => ({ now: T0, attempt: 1, error: ERROR }) },
  recordNeverCreated: { request: () => ({ now: T0, error: ERROR, seenNextAttemptAt: null }) },
  releaseCreateLease: { request: () => ({ now: T0, attempt: 1, error: ERROR, notBefore: 0, nextAttemptAt: at(8_000) }) },
  recordWaiting: { request: () => ({ now: T0, nextAttemptAt: at(8_000) }) },
  recordNoMoreDeliveries: { request: () => ({ now: T0 }) },
  expectDelivery: { request: (from) => ({ now: T0, from, seenAttempts: 1, nextAttemptAt: at(60_000) }) },
  reopenCreate: { item: { lastError: { ...ERROR, reason: 'CREATE_ABANDONED' } }, request: () => ({ now: T0, failedFor: 'CREATE_ABANDONED', nextAttemptAt: at(60_000) }) },
  claimAccept: { item: { acceptAttempts: undefined }, request: () => ({ now: T0, first: true, leaseUntil: at(40_000), retryUntil: at(86_400_000) }) },
  recordAccepted: { request: () => ({ now: T0, attempt: 1 }) },
  recordAcceptFailed: { request: () => ({ now: T0, attempt: 1, error: ERROR }) },
  recordAcceptRetry: { request: () => ({ now: T0, attempt: 1, error: ERROR, nextAttemptAt: at(10_000) }) },
  reopenAccept: { request: () => ({ now: T0 }) },
  hurryAccept: { request: () => ({ now: T0, seenUpdatedAt: at(-60_000).toISOString(), changedBy: at(-40_000).toISOString() }) },
  recordLifecycle: { request: (from, to) => ({ now: T0, from, to, observedAt: T0, sameSecond: 'always', source: 'read' }) },
  deferLifecyclePoll: { request: (from) => ({ now: T0, from, seenUpdatedAt: at(-60_000).toISOString() }) },
};


/** Every (transition, status, target) to try, with whether the table allows it. */
function attempts(): { name: TransitionName; from: SolutionStatus; to: SolutionStatus; passTo: boolean; allowed: boolean }[] {
  return (Object.keys(SOLUTION_TRANSITIONS) as TransitionName[]).flatMap((name) =>
    SOLUTION_STATUSES.flatMap((from) => {
      const stays = allStay(SOLUTION_TRANSITIONS[name]);
      const targets = stays ? [from] : toStatuses(name);
      const moves = SOLUTION_TRANSITIONS[name].moves as Partial<Record<SolutionStatus, readonly SolutionStatus[]>>;
      return targets.map((to) => ({ name, from, to, passTo: !stays && targets.length > 1, allowed: moves[from]?.includes(to) ?? false }));
    }),
  );
}

/**
 * Every transition of the table, asked of an item in every status, toward every status it leads to:
 * it applies exactly where the table allows the move, and otherwise writes nothing (the store's
 * condition refuses it, or, where the caller says which status it read, the table does, by name).
 * Run on the in-memory store (unit tier) and on DynamoDB Local (integration tier).
 */
export function transitionMatrixCases(fixtureOf: () => MatrixFixture): void {
  let n = 0;
  const item = (status: SolutionStatus, extra: Partial<SolutionRecord> = {}): SolutionRecord => {
    n++;
    return {
      onboardingId: `matrix-${n}`,
      appId: `7${String(n).padStart(6, '0')}`,
      appName: 'matrix app',
      solutionName: `matrix ${n}`,
      status,
      solutionId: `sol-matrix-${n}`,
      attempts: 1,
      acceptAttempts: 1,
      createdAt: at(-120_000).toISOString(),
      updatedAt: at(-60_000).toISOString(),
      ...extra,
    };
  };

  test('every transition has a case here', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(SOLUTION_TRANSITIONS).sort());
  });

  test('every transition applies from every status exactly where the table allows it, and otherwise writes nothing', async () => {
    const { store, seed } = fixtureOf();
    const moved = new Set<string>();
    const wrong: string[] = [];
    for (const { name, from, to, passTo, allowed } of attempts()) {
      const { item: extra, request } = CASES[name] as Case<TransitionName>;
      const seeded = item(from, extra);
      const cleaned = Object.fromEntries(Object.entries(seeded).filter(([, value]) => value !== undefined)) as unknown as SolutionRecord;
      await seed(cleaned);
      const before = await store.getSolution(seeded.onboardingId, seeded.appId);
      const outcome = await store.applyTransition(seeded, name, request(from, passTo ? to : undefined)).then(
        (result) => (result.applied ? 'applied' : 'refused'),
        (error: unknown) => (error instanceof TransitionRefusedError && error.from === from && error.to === to ? 'refused by the table' : `threw ${String(error)}`),
      );
      const after = await store.getSolution(seeded.onboardingId, seeded.appId);
      if (allowed && (outcome !== 'applied' || after?.status !== to)) wrong.push(`${name} ${from} → ${to}: allowed, but ${outcome} (now ${after?.status})`);
      if (!allowed && (outcome === 'applied' || outcome.startsWith('threw') || JSON.stringify(after) !== JSON.stringify(before))) wrong.push(`${name} ${from} → ${to}: not a move, but ${outcome}`);
      if (allowed && from !== to) moved.add(`${from} → ${to}`);
    }
    expect(wrong).toEqual([]);
    // Every pair of statuses: moved by some transition exactly when the status machine has the move.
    const expected = SOLUTION_STATUSES.flatMap((from) => SOLUTION_MOVES[from].map((to) => `${from} → ${to}`));
    expect([...moved].sort()).toEqual(expected.sort());
    for (const from of SOLUTION_STATUSES) for (const to of SOLUTION_STATUSES) expect(moved.has(`${from} → ${to}`)).toBe(from !== to && canMove(from, to));
  }, 60_000);

  test('a lease holds up to its last millisecond: a claim at its end is refused, one a millisecond later takes over', async () => {
    const { store, seed } = fixtureOf();
    const held = item('CREATING', { leaseExpiresAt: at(30_000).getTime() });
    await seed(held);
    const claim = { leaseExpiresAt: at(60_000).getTime(), nextAttemptAt: at(210_000), tookOverGuard: false };
    await expect(store.applyTransition(held, 'claimCreate', { now: at(30_000), ...claim })).resolves.toEqual({ applied: false, refusedBy: 'item' });
    await expect(store.applyTransition(held, 'claimCreate', { now: at(30_001), ...claim })).resolves.toMatchObject({ applied: true, item: { status: 'CREATING', attempts: 2 } });
  });

  test('an attempt’s writes are fenced by its number: a stale attempt writes nothing, the current one lands', async () => {
    const { store, seed } = fixtureOf();
    const claimed = item('CREATING', { attempts: 2, leaseExpiresAt: at(30_000).getTime() });
    await seed(claimed);
    await expect(store.recordCreated(claimed.onboardingId, claimed.appId, 1, 'sol-stale', T0)).resolves.toBe(false);
    await expect(store.getSolution(claimed.onboardingId, claimed.appId)).resolves.toMatchObject({ status: 'CREATING', attempts: 2 });
    await expect(store.recordCreated(claimed.onboardingId, claimed.appId, 2, 'sol-2', T0)).resolves.toBe(true);
    const accepting = item('CREATED', { acceptAttempts: 3 });
    await seed(accepting);
    await expect(store.recordAcceptFailed(accepting.onboardingId, accepting.appId, 2, ERROR, T0)).resolves.toBe(false);
    await expect(store.recordAcceptRetry(accepting.onboardingId, accepting.appId, 3, ERROR, T0, at(10_000))).resolves.toBe(true);
  });

  test('a create that fails for good releases its app’s guard at once; any other outcome keeps it', async () => {
    const { store, seed } = fixtureOf();
    const [failing, created] = [item('PENDING'), item('PENDING')];
    for (const pending of [failing, created]) {
      await seed(pending);
      await store.claimForCreate(pending.onboardingId, pending.appId, T0, { leaseMs: 30_000, redeliveryMs: 180_000, busyRetryMs: 10_000 });
      await expect(store.appGuardHolder(pending.appId)).resolves.toMatchObject({ holderId: pending.onboardingId });
    }
    await expect(store.recordCreateFailed(failing.onboardingId, failing.appId, 2, ERROR, at(1))).resolves.toBe(true);
    await expect(store.appGuardHolder(failing.appId)).resolves.toEqual({ holderId: undefined, holder: undefined });
    await expect(store.recordCreated(created.onboardingId, created.appId, 2, 'sol-kept', at(1))).resolves.toBe(true);
    await expect(store.appGuardHolder(created.appId)).resolves.toMatchObject({ holderId: created.onboardingId, holder: { status: 'CREATED' } });
  });
}
