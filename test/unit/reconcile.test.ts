import { jest } from '@jest/globals';
import type { AcceptSolutionOutcome } from '../../lambdas/domain/accept-solution';
import { reconcile, type ReconcileDeps } from '../../lambdas/domain/reconcile';
import { when, type Condition } from '../../lambdas/domain/item-move';
import type { OnboardingRecord, SolutionRecord, VerificationError } from '../../lambdas/domain/records';
import type { SolutionStatus } from '../../lambdas/domain/solution-status';
import type { SolutionDetails } from '../../lambdas/graph/graph-client';
import { GraphError } from '../../lambdas/graph/graph-error';
import type { LifecycleWrite } from '../../lambdas/domain/records/lifecycle-records';

const PARTNER = '1000000000000001';
const NOW = new Date('2026-11-27T08:00:00Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();
const DAY_MS = 24 * 3600 * 1000;

const item = (appId: string, status: SolutionStatus, extra: Partial<SolutionRecord> = {}): SolutionRecord => ({
  onboardingId: `ob-${appId}`,
  appId,
  appName: `app ${appId}`,
  solutionName: `Acme × app ${appId} · s1`,
  status,
  attempts: status === 'PENDING' ? 0 : 2,
  createdAt: ago(600),
  updatedAt: ago(300),
  ...extra,
});
const onGraph = (s: Partial<SolutionDetails>): SolutionDetails => ({ id: 'sol-x', name: 'x', status: 'INITIATED', ownerAppId: '111', partners: [{ appId: PARTNER }], ...s });

/** The store as the reconciler sees it: what byStatus finds per status, and every write accepted. */
function setup(
  found: Partial<Record<SolutionStatus, SolutionRecord[]>>,
  partnerSolutions: SolutionDetails[] = [],
  opts: { backlog?: boolean; holder?: SolutionRecord; state?: { status: string; statusForPendingRequest?: string }; verifying?: OnboardingRecord[] } = {},
) {
  const store = {
    findByStatus: jest.fn(async (status: SolutionStatus, query: { filter?: Condition; updatedBefore?: Date }) =>
      status === 'CREATED' ? (query.updatedBefore ? [] : (found.CREATED ?? [])) : (found[status] ?? []),
    ),
    appGuardHolder: jest.fn(async () => ({ holderId: opts.holder?.onboardingId, holder: opts.holder })),
    recordCreated: jest.fn(async () => true),
    recordCreateFailed: jest.fn(async () => true),
    recordNeverCreated: jest.fn(async () => true),
    recordExistingElsewhere: jest.fn(async () => true),
    getSolution: jest.fn(async (): Promise<SolutionRecord | undefined> => undefined),
    recordLifecycle: jest.fn(async (_record: Pick<SolutionRecord, 'onboardingId' | 'appId' | 'status'>, _to: SolutionStatus, _at: Date, _now: Date, _news: LifecycleWrite) => true),
    deferLifecyclePoll: jest.fn(async () => true),
    findVerifyingPast: jest.fn(async (_by: Date, _limit: number) => opts.verifying ?? []),
    failVerification: jest.fn(async (_onboardingId: string, _error: VerificationError, _now: Date) => true),
  };
  const graph = {
    listAppSolutions: jest.fn(async () => partnerSolutions),
    getSolutionState: jest.fn(async (): Promise<{ status: string; statusForPendingRequest?: string }> => opts.state ?? { status: 'ACTIVE', statusForPendingRequest: 'NONE' }),
  };
  const accept = jest.fn(async (): Promise<AcceptSolutionOutcome> => ({ outcome: 'accepted', alreadyAccepted: false, attempt: 2 }));
  const createQueueHasBacklog = jest.fn(async () => opts.backlog ?? false);
  let timeLeft = 60_000;
  const deps: ReconcileDeps = {
    store,
    graph,
    createQueueHasBacklog,
    accept,
    systemUserToken: async () => 'system-user-token',
    settings: { partnerAppId: PARTNER, stalledAfterMs: 120_000, acceptHandoffMs: 120_000, lifecyclePollAfterMs: DAY_MS, maxItemsPerPass: 100, minTimeLeftMs: 25_000 },
    clock: () => NOW,
    timeLeftMs: () => timeLeft,
  };
  return { store, graph, accept, createQueueHasBacklog, deps, setTimeLeft: (ms: number) => (timeLeft = ms) };
}

describe('reconcile', () => {
  test('asks the byStatus index for stalled PENDING and CREATING items, for due or missed CREATED ones and for live ones quiet for the poll period, never more than a pass handles', async () => {
    const { store, deps } = setup({});
    await expect(reconcile(deps)).resolves.toEqual({ items: [], expired: [], found: 0, incomplete: false });
    expect(store.findByStatus.mock.calls.map(([status, query]) => [status, query])).toEqual([
      ['PENDING', { filter: when.any(when.absent('nextAttemptAt'), when.le('nextAttemptAt', ago(120))), limit: 100 }],
      ['CREATING', { filter: when.any(when.absent('nextAttemptAt'), when.le('nextAttemptAt', ago(120))), limit: 100 }],
      ['CREATED', { filter: when.le('nextAttemptAt', NOW.toISOString()), limit: 100 }],
      ['CREATED', { filter: when.absent('nextAttemptAt'), updatedBefore: new Date(ago(120)), limit: 100 }],
      ...['ACCEPTED', 'EXISTING', 'PENDING_DEACTIVATION'].map((status) => [status, { updatedBefore: new Date(NOW.getTime() - DAY_MS), limit: 100 }]),
    ]);
  });

  test('ends FAILED (TOKEN_EXPIRED) every onboarding still VERIFYING past its token’s lifetime, without a Graph call; one a check ended meanwhile is left as it is', async () => {
    const verifying = (id: string): OnboardingRecord => ({ onboardingId: id, apps: [], tokenFingerprint: `fp-${id}`, status: 'VERIFYING', verifyBy: ago(60), createdAt: ago(7200), updatedAt: ago(3600) });
    const { store, graph, deps } = setup({}, [], { verifying: [verifying('ob-a'), verifying('ob-b')] });
    store.failVerification.mockImplementation(async (onboardingId) => onboardingId === 'ob-a');
    const report = await reconcile(deps);
    expect(store.findVerifyingPast).toHaveBeenCalledWith(NOW, 100);
    expect(store.failVerification.mock.calls.map(([id, error]) => [id, error.code])).toEqual([
      ['ob-a', 'TOKEN_EXPIRED'],
      ['ob-b', 'TOKEN_EXPIRED'],
    ]);
    expect(report.expired).toEqual(['ob-a']);
    expect(graph.listAppSolutions).not.toHaveBeenCalled();
    expect(graph.getSolutionState).not.toHaveBeenCalled();
  });

  describe('the lifecycle poll (webhooks may have failed)', () => {
    const live = (appId: string, status: SolutionStatus) => item(appId, status, { solutionId: `sol-${appId}`, updatedAt: ago(25 * 3600) });

    test('reads where each quiet live solution stands, with the system-user token, and moves its record as a webhook would (the read’s time, to the second, orders it)', async () => {
      const { store, graph, deps } = setup({ ACCEPTED: [live('111', 'ACCEPTED')] }, [], { state: { status: 'ACTIVE', statusForPendingRequest: 'PENDING_DEACTIVATION' } });
      const { items } = await reconcile(deps);
      expect(graph.getSolutionState).toHaveBeenCalledWith('sol-111', 'system-user-token');
      expect(store.recordLifecycle).toHaveBeenCalledWith(expect.objectContaining({ onboardingId: 'ob-111', status: 'ACCEPTED' }), 'PENDING_DEACTIVATION', NOW, NOW, {
        source: 'read',
        furtherAlong: true,
        liveStatus: 'ACCEPTED',
      });
      expect(items).toEqual([
        {
          onboardingId: 'ob-111',
          appId: '111',
          solutionId: 'sol-111',
          status: 'ACCEPTED',
          action: { action: 'lifecycle', graphStatus: 'ACTIVE', result: { outcome: 'applied', stale: 0, changes: [{ onboardingId: 'ob-111', appId: '111', solutionId: 'sol-111', from: 'ACCEPTED', to: 'PENDING_DEACTIVATION' }] } },
        },
      ]);
    });

    test('an unchanged solution has only its time moved on (so the next poll is a period away); two records of one solution share one read', async () => {
      const { store, graph, deps } = setup({ ACCEPTED: [live('111', 'ACCEPTED')], EXISTING: [{ ...live('222', 'EXISTING'), solutionId: 'sol-111' }] });
      await reconcile(deps);
      expect(graph.getSolutionState).toHaveBeenCalledTimes(1);
      expect(store.recordLifecycle.mock.calls.map(([record, to]) => [record.status, to])).toEqual([
        ['ACCEPTED', 'ACCEPTED'],
        ['EXISTING', 'EXISTING'],
      ]);
    });

    test('a read Graph refuses for good puts the next poll a period away; one that fails for now (throttled, down) is left to the next pass, and ends this pass’s reads', async () => {
      const refused = setup({ ACCEPTED: [live('111', 'ACCEPTED')] });
      refused.graph.getSolutionState.mockRejectedValueOnce(new GraphError('permanent', { code: 803, message: 'no such object' }, 404));
      await expect(reconcile(refused.deps)).resolves.toMatchObject({ items: [{ action: { action: 'lookup-failed', error: { code: 803 } } }] });
      expect(refused.store.deferLifecyclePoll).toHaveBeenCalledWith(expect.objectContaining({ onboardingId: 'ob-111' }), NOW);

      const throttled = setup({ ACCEPTED: [live('111', 'ACCEPTED'), live('222', 'ACCEPTED'), live('333', 'ACCEPTED')] });
      throttled.graph.getSolutionState.mockRejectedValueOnce(new GraphError('throttled', { code: 4, message: 'Application request limit reached' }, 400, 60));
      await expect(reconcile(throttled.deps)).resolves.toMatchObject({ found: 3, incomplete: true, items: [{ appId: '111', action: { action: 'lookup-failed' } }] });
      expect(throttled.graph.getSolutionState).toHaveBeenCalledTimes(1);
      expect(throttled.store.deferLifecyclePoll).not.toHaveBeenCalled();
      expect(throttled.store.recordLifecycle).not.toHaveBeenCalled();
    });

    test.each([
      ['a status Graph does not document', { status: 'PENDING' }, 'unknown-status'],
      ['not yet accepted (INITIATED)', { status: 'INITIATED', statusForPendingRequest: 'PENDING_ACTIVATION' }, 'awaiting-accept'],
    ])('a read that finds %s changes nothing, and the next read is a period away, not a minute', async (_, state, outcome) => {
      const { store, deps } = setup({ ACCEPTED: [live('111', 'ACCEPTED')] }, [], { state });
      await expect(reconcile(deps)).resolves.toMatchObject({ items: [{ action: { action: 'lifecycle', result: { outcome } } }] });
      expect(store.recordLifecycle).not.toHaveBeenCalled();
      expect(store.deferLifecyclePoll).toHaveBeenCalledWith(expect.objectContaining({ onboardingId: 'ob-111' }), NOW);
    });

    test('a read whose news the record already has (a newer webhook) moves the next read a period away too', async () => {
      const { store, deps } = setup({ ACCEPTED: [live('111', 'ACCEPTED')] });
      store.recordLifecycle.mockResolvedValue(false);
      store.getSolution.mockResolvedValue(live('111', 'ACCEPTED'));
      await reconcile(deps);
      expect(store.deferLifecyclePoll).toHaveBeenCalledWith(expect.objectContaining({ onboardingId: 'ob-111' }), NOW);
    });

    test('polls come after due accepts and stalled creates, within the same item budget', async () => {
      const { graph, accept, deps } = setup({ CREATED: [item('333', 'CREATED', { solutionId: 'sol-333' })], ACCEPTED: [live('111', 'ACCEPTED'), live('222', 'ACCEPTED')] });
      deps.settings.maxItemsPerPass = 2;
      const report = await reconcile(deps);
      expect(accept).toHaveBeenCalledTimes(1);
      expect(graph.getSolutionState).toHaveBeenCalledTimes(1);
      expect(report).toMatchObject({ found: 3, incomplete: true });
    });
  });

  test('a CREATING item whose last delivery is spent and that Graph has (exact name, its app as owner) is adopted under its attempt number', async () => {
    const stalled = item('111', 'CREATING', { leaseExpiresAt: NOW.getTime() - 1 });
    const { store, graph, deps } = setup({ CREATING: [stalled] }, [onGraph({ id: 'sol-made', name: stalled.solutionName })]);

    const { items } = await reconcile(deps);

    // Cut off where the pass must stop starting work.
    expect(graph.listAppSolutions).toHaveBeenCalledWith(PARTNER, 'PARTNER', 'system-user-token', expect.any(AbortSignal));
    expect(store.recordCreated).toHaveBeenCalledWith('ob-111', '111', 2, 'sol-made', NOW);
    expect(items).toEqual([{ onboardingId: 'ob-111', appId: '111', solutionId: 'sol-made', status: 'CREATING', action: { action: 'adopted', solutionId: 'sol-made' } }]);
  });

  test('a CREATING item Graph does not have ends CREATE_FAILED, CREATE_ABANDONED, with Graph’s last error kept', async () => {
    const lastError = { code: 2, message: 'Service temporarily unavailable' };
    const { store, deps } = setup({ CREATING: [item('111', 'CREATING', { lastError })] }, [onGraph({ name: 'someone else’s' })]);

    const { items } = await reconcile(deps);

    const abandoned = { ...lastError, reason: 'CREATE_ABANDONED' };
    expect(store.recordCreateFailed).toHaveBeenCalledWith('ob-111', '111', 2, abandoned, NOW);
    expect(items[0]?.action).toEqual({ action: 'abandoned', error: abandoned });
  });

  test.each([
    ['on two solutions', [onGraph({ id: 'a', name: 'Acme × app 111 · s1' }), onGraph({ id: 'b', name: 'Acme × app 111 · s1' })], ['a', 'b']],
    ['on another app’s solution', [onGraph({ id: 'c', name: 'Acme × app 111 · s1', ownerAppId: '999' })], ['c']],
  ])('an item whose name Graph lists %s adopts none: CREATE_FAILED, AMBIGUOUS_ON_GRAPH, for a person to look at', async (_, listed, ids) => {
    const { store, deps } = setup({ CREATING: [item('111', 'CREATING')] }, listed);
    const { items } = await reconcile(deps);
    const error = { code: -1, message: expect.stringContaining(ids.join(', ')), reason: 'AMBIGUOUS_ON_GRAPH' };
    expect(items[0]?.action).toEqual({ action: 'ambiguous', solutionIds: ids, error });
    expect(store.recordCreated).not.toHaveBeenCalled();
    expect(store.recordCreateFailed).toHaveBeenCalledWith('ob-111', '111', 2, error, NOW);
  });

  test('an attempt still holding its item, or settling a create without an answer, is left alone', async () => {
    const { store, graph, deps } = setup({ CREATING: [item('111', 'CREATING', { leaseExpiresAt: NOW.getTime() + 30_000 })] });
    await expect(reconcile(deps)).resolves.toMatchObject({ items: [], found: 1 });
    expect(graph.listAppSolutions).not.toHaveBeenCalled();
    expect(store.recordCreateFailed).not.toHaveBeenCalled();
  });

  test('an overdue item is left alone while create messages wait in the queue (late, not lost); gone once the queue is empty', async () => {
    const overdue = item('111', 'CREATING', { nextAttemptAt: ago(600) });
    const waiting = setup({ CREATING: [overdue] }, [], { backlog: true });
    await expect(reconcile(waiting.deps)).resolves.toMatchObject({ items: [] });
    expect(waiting.store.recordCreateFailed).not.toHaveBeenCalled();

    const empty = setup({ CREATING: [overdue] }, [], { backlog: false });
    await expect(reconcile(empty.deps)).resolves.toMatchObject({ items: [{ action: { action: 'abandoned' } }] });
    // One question to SQS per pass, only for items that still expect a delivery.
    expect(empty.createQueueHasBacklog).toHaveBeenCalledTimes(1);
  });

  test('a PENDING item with no delivery coming never reached Graph: CREATE_FAILED without a lookup, or EXISTING if its app is live elsewhere', async () => {
    const plain = setup({ PENDING: [item('111', 'PENDING')] });
    await expect(reconcile(plain.deps)).resolves.toMatchObject({ items: [{ action: { action: 'abandoned', error: { code: -1, reason: 'CREATE_ABANDONED' } } }] });
    expect(plain.store.recordNeverCreated).toHaveBeenCalledWith('ob-111', '111', expect.objectContaining({ reason: 'CREATE_ABANDONED' }), NOW, undefined);
    expect(plain.graph.listAppSolutions).not.toHaveBeenCalled();

    const holder = { ...item('111', 'ACCEPTED'), onboardingId: 'ob-first', solutionId: 'sol-live' };
    const live = setup({ PENDING: [item('111', 'PENDING')] }, [], { holder });
    await expect(reconcile(live.deps)).resolves.toMatchObject({ items: [{ action: { action: 'existing', solutionId: 'sol-live' } }] });
    expect(live.store.recordExistingElsewhere).toHaveBeenCalledWith('ob-111', '111', expect.objectContaining({ onboardingId: 'ob-first', status: 'ACCEPTED', solutionId: 'sol-live' }), NOW);

    const underWay = setup({ PENDING: [item('111', 'PENDING')] }, [], { holder: { ...holder, status: 'CREATED' } });
    await expect(reconcile(underWay.deps)).resolves.toMatchObject({ items: [] });
    expect(underWay.store.recordNeverCreated).not.toHaveBeenCalled();
  });

  test('a lookup Graph fails is retried next pass; a worker that moved the item on meanwhile wins', async () => {
    const failing = setup({ CREATING: [item('111', 'CREATING')] });
    failing.graph.listAppSolutions.mockRejectedValue(new GraphError('transient', { code: 2, message: 'down' }, 503));
    await expect(reconcile(failing.deps)).resolves.toMatchObject({ items: [{ action: { action: 'lookup-failed', error: { code: 2 } } }] });
    expect(failing.store.recordCreateFailed).not.toHaveBeenCalled();

    const raced = setup({ CREATING: [item('111', 'CREATING')] });
    raced.store.recordCreateFailed.mockResolvedValue(false);
    await expect(reconcile(raced.deps)).resolves.toMatchObject({ items: [{ action: { action: 'moved-on' } }] });
  });

  test('an item whose step fails outside Graph (the table, say) does not stop the pass', async () => {
    const { store, deps } = setup({ PENDING: [item('111', 'PENDING'), item('222', 'PENDING')] });
    store.recordNeverCreated.mockRejectedValueOnce(new Error('DynamoDB unavailable'));
    const { items } = await reconcile(deps);
    expect(items.map((i) => [i.appId, i.action.action])).toEqual([
      ['111', 'failed'],
      ['222', 'abandoned'],
    ]);
  });

  test('due CREATED solutions go to the accept step as due, with the handoff time, before any lookup', async () => {
    const { accept, deps } = setup({ CREATED: [item('111', 'CREATED', { solutionId: 'sol-1' })] });
    const { items } = await reconcile(deps);
    expect(accept).toHaveBeenCalledWith(expect.objectContaining({ appId: '111' }), { kind: 'due', handoffBefore: new Date(ago(120)) });
    expect(items[0]).toMatchObject({ solutionId: 'sol-1', action: { action: 'accept', result: { outcome: 'accepted' } } });
  });

  test('a pass stops starting items when too little time is left, and says it is incomplete', async () => {
    const { accept, deps, setTimeLeft } = setup({ CREATED: [item('111', 'CREATED', { solutionId: 'a' }), item('222', 'CREATED', { solutionId: 'b' })] });
    accept.mockImplementation(async () => {
      setTimeLeft(10_000);
      return { outcome: 'accepted', alreadyAccepted: false, attempt: 1 };
    });
    await expect(reconcile(deps)).resolves.toMatchObject({ found: 2, incomplete: true });
    expect(accept).toHaveBeenCalledTimes(1);
  });
});
