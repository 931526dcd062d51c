import { jest } from '@jest/globals';
import type { SolutionRecord } from '../../lambdas/domain/records';
import type { SolutionStatus } from '../../lambdas/domain/solution-status';
import { lifecycleStatusOf, lifecycleTarget, takeLifecycleNews, type LifecycleDeps, type LifecycleNews } from '../../lambdas/domain/solution-lifecycle';
import type { LifecycleWrite } from '../../lambdas/domain/records/lifecycle-records';

const NOW = new Date('2026-11-28T10:00:00Z');
const record = (onboardingId: string, status: SolutionStatus, extra: Partial<SolutionRecord> = {}): SolutionRecord => ({
  onboardingId,
  appId: '111',
  appName: 'app',
  solutionName: 'Acme × app · s1',
  solutionId: 'sol-1',
  status,
  attempts: 1,
  createdAt: '2026-11-28T09:00:00.000Z',
  updatedAt: '2026-11-28T09:00:00.000Z',
  ...extra,
});

/** The store: the records of the solution, every write applied unless `refuse` says otherwise. */
function setup(records: SolutionRecord[], opts: { refuse?: (r: Pick<SolutionRecord, 'status'>) => boolean; reread?: SolutionRecord } = {}) {
  const store = {
    findBySolutionId: jest.fn(async () => records),
    getSolution: jest.fn(async (): Promise<SolutionRecord | undefined> => opts.reread),
    recordLifecycle: jest.fn(async (r: Pick<SolutionRecord, 'onboardingId' | 'appId' | 'status'>, _to: SolutionStatus, _at: Date, _now: Date, _news: LifecycleWrite) => !opts.refuse?.(r)),
  };
  const deps: LifecycleDeps = { store, clock: () => NOW };
  return { store, deps };
}

describe('what Graph’s state means for a record', () => {
  test.each([
    [{ status: 'ACTIVE' }, 'ACCEPTED'],
    [{ status: 'ACTIVE', pendingRequest: 'NONE' }, 'ACCEPTED'],
    [{ status: 'ACTIVE', pendingRequest: 'PENDING_DEACTIVATION' }, 'PENDING_DEACTIVATION'],
    [{ status: 'PENDING_DEACTIVATION' }, 'PENDING_DEACTIVATION'],
    [{ status: 'REJECTED' }, 'REJECTED'],
    [{ status: 'DEACTIVATED' }, 'DEACTIVATED'],
    [{ status: 'INITIATED', pendingRequest: 'PENDING_ACTIVATION' }, 'awaiting-accept'],
    [{ status: 'DRAFT' }, 'awaiting-accept'],
    [{ status: 'PENDING' }, 'unknown'],
    [{ status: 'active' }, 'unknown'],
  ])('%j → %s', (state, expected) => {
    expect(lifecycleStatusOf(state)).toBe(expected);
  });

  test('records follow from CREATED, ACCEPT_FAILED and the live statuses; REJECTED and DEACTIVATED are final, and under-way ones are not yet on Graph', () => {
    const at = (status: SolutionStatus, liveStatus?: 'ACCEPTED' | 'EXISTING') => ({ status, ...(liveStatus ? { liveStatus } : {}) });
    expect(lifecycleTarget(at('CREATED'), 'ACCEPTED')).toBe('ACCEPTED');
    expect(lifecycleTarget(at('ACCEPT_FAILED'), 'REJECTED')).toBe('REJECTED');
    expect(lifecycleTarget(at('ACCEPTED'), 'PENDING_DEACTIVATION')).toBe('PENDING_DEACTIVATION');
    // Back from a declined request to what it was: another onboarding's solution stays EXISTING.
    expect(lifecycleTarget(at('PENDING_DEACTIVATION', 'ACCEPTED'), 'ACCEPTED')).toBe('ACCEPTED');
    expect(lifecycleTarget(at('PENDING_DEACTIVATION', 'EXISTING'), 'ACCEPTED')).toBe('EXISTING');
    expect(lifecycleTarget(at('EXISTING'), 'ACCEPTED')).toBe('EXISTING');
    expect(lifecycleTarget(at('EXISTING'), 'DEACTIVATED')).toBe('DEACTIVATED');
    for (const from of ['DEACTIVATED', 'REJECTED', 'PENDING', 'CREATING', 'CREATE_FAILED'] as const) expect(lifecycleTarget(at(from), 'ACCEPTED')).toBeUndefined();
  });
});

describe('takeLifecycleNews', () => {
  const news = (status: string, source: LifecycleNews['source'] = 'webhook', observedAt = new Date('2026-11-28T09:59:30.750Z')): LifecycleNews => ({ solutionId: 'sol-1', state: { status }, observedAt, source });
  const second = new Date('2026-11-28T09:59:30.000Z');

  test('moves every record of the solution, at the news’ time to the second; a webhook of the same second wins only further along, a read always', async () => {
    const { store, deps } = setup([record('ob-a', 'ACCEPTED'), record('ob-b', 'EXISTING')]);
    await expect(takeLifecycleNews(news('DEACTIVATED'), deps)).resolves.toEqual({
      outcome: 'applied',
      stale: 0,
      changes: [
        { onboardingId: 'ob-a', appId: '111', solutionId: 'sol-1', from: 'ACCEPTED', to: 'DEACTIVATED' },
        { onboardingId: 'ob-b', appId: '111', solutionId: 'sol-1', from: 'EXISTING', to: 'DEACTIVATED' },
      ],
    });
    expect(store.recordLifecycle).toHaveBeenCalledWith(expect.objectContaining({ onboardingId: 'ob-a' }), 'DEACTIVATED', second, NOW, { source: 'webhook', furtherAlong: true });

    const back = setup([record('ob-a', 'PENDING_DEACTIVATION', { liveStatus: 'ACCEPTED' })]);
    await takeLifecycleNews(news('ACTIVE', 'read'), back.deps);
    expect(back.store.recordLifecycle).toHaveBeenCalledWith(expect.anything(), 'ACCEPTED', second, NOW, { source: 'read', furtherAlong: false });
  });

  test('a webhook repeating the status a record has is never further along: a duplicate delivery of the same second changes nothing', async () => {
    const { store, deps } = setup([record('ob-a', 'PENDING_DEACTIVATION', { liveStatus: 'ACCEPTED' }), record('ob-b', 'ACCEPTED')]);
    await takeLifecycleNews(news('PENDING_DEACTIVATION'), deps);
    await takeLifecycleNews(news('ACTIVE'), deps);
    const sameStatus = store.recordLifecycle.mock.calls.filter(([r, to]) => r.status === to);
    expect(sameStatus.map(([r, to, , , write]) => [r.onboardingId, to, write.furtherAlong])).toEqual([
      ['ob-a', 'PENDING_DEACTIVATION', false],
      ['ob-b', 'ACCEPTED', false],
    ]);
  });

  test('entering PENDING_DEACTIVATION notes what to go back to; a declined request brings each record back to it', async () => {
    const { store, deps } = setup([record('ob-a', 'ACCEPTED'), record('ob-b', 'EXISTING')]);
    await takeLifecycleNews(news('PENDING_DEACTIVATION'), deps);
    expect(store.recordLifecycle.mock.calls.map(([r, to, , , write]) => [r.status, to, write.liveStatus])).toEqual([
      ['ACCEPTED', 'PENDING_DEACTIVATION', 'ACCEPTED'],
      ['EXISTING', 'PENDING_DEACTIVATION', 'EXISTING'],
    ]);

    const declined = setup([record('ob-a', 'PENDING_DEACTIVATION', { liveStatus: 'ACCEPTED' }), record('ob-b', 'PENDING_DEACTIVATION', { liveStatus: 'EXISTING' })]);
    await expect(takeLifecycleNews(news('ACTIVE'), declined.deps)).resolves.toMatchObject({
      changes: [
        { onboardingId: 'ob-a', from: 'PENDING_DEACTIVATION', to: 'ACCEPTED' },
        { onboardingId: 'ob-b', from: 'PENDING_DEACTIVATION', to: 'EXISTING' },
      ],
    });
  });

  test('news the store refuses for its age (older, or a duplicate) changes nothing and counts as stale', async () => {
    const { store, deps } = setup([record('ob-a', 'DEACTIVATED'), record('ob-b', 'ACCEPTED')], { refuse: () => true, reread: record('ob-b', 'ACCEPTED') });
    await expect(takeLifecycleNews(news('PENDING_DEACTIVATION'), deps)).resolves.toEqual({ outcome: 'applied', changes: [], stale: 2 });
    // The final record is not even written to; the other was read again once, found unchanged.
    expect(store.recordLifecycle).toHaveBeenCalledTimes(1);
    expect(store.getSolution).toHaveBeenCalledTimes(1);
  });

  test('a record moved on between its read and the write (the accept worker’s ACCEPTED) is judged again from where it is', async () => {
    const { store, deps } = setup([record('ob-a', 'CREATED')], { refuse: (r) => r.status === 'CREATED', reread: record('ob-a', 'ACCEPTED') });
    await expect(takeLifecycleNews(news('DEACTIVATED'), deps)).resolves.toMatchObject({ changes: [{ from: 'ACCEPTED', to: 'DEACTIVATED' }] });
    expect(store.recordLifecycle.mock.calls.map(([r, to]) => [r.status, to])).toEqual([
      ['CREATED', 'DEACTIVATED'],
      ['ACCEPTED', 'DEACTIVATED'],
    ]);
  });

  test('unknown statuses and solutions no record holds are reported, not guessed at; news of a solution awaiting its accept looks nothing up', async () => {
    const { store, deps } = setup([]);
    await expect(takeLifecycleNews(news('PENDING'), deps)).resolves.toEqual({ outcome: 'unknown-status', status: 'PENDING' });
    await expect(takeLifecycleNews(news('INITIATED'), deps)).resolves.toEqual({ outcome: 'awaiting-accept' });
    expect(store.findBySolutionId).not.toHaveBeenCalled();
    await expect(takeLifecycleNews(news('ACTIVE'), deps)).resolves.toEqual({ outcome: 'unknown-solution' });
  });
});
