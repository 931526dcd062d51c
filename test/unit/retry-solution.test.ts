import { jest } from '@jest/globals';
import type { SolutionRecord } from '../../lambdas/domain/records';
import { retrySolution, type RetrySolutionDeps } from '../../lambdas/domain/retry-solution';
import { retryDeps } from '../../ops/commands/retry';
import type { OpsTarget } from '../../ops/target';

const NOW = new Date('2026-11-28T12:00:00Z');
const record = (over: Partial<SolutionRecord>): SolutionRecord => ({
  onboardingId: 'ob-1',
  appId: '111',
  appName: 'App',
  solutionName: 'Acme × App · abc',
  status: 'CREATED',
  attempts: 1,
  createdAt: '2026-11-28T10:00:00.000Z',
  updatedAt: '2026-11-28T11:00:00.000Z',
  ...over,
});
const abandoned = { code: 2, message: 'down', reason: 'CREATE_ABANDONED' as const };

function deps(opts: { parked?: boolean; tokenExpiresAt?: number; writes?: boolean; reopen?: 'reopened' | 'moved-on' | 'app-taken' } = {}) {
  const write = jest.fn(async () => opts.writes ?? true);
  const d = {
    store: {
      reopenAccept: jest.fn(async () => opts.reopen ?? 'reopened'),
      hurryAccept: write,
      reopenCreate: write,
      getOnboarding: jest.fn(async () => ({ onboarding: { tokenExpiresAt: opts.tokenExpiresAt ?? 0 }, solutions: [] })),
    },
    parkedCreates: { has: jest.fn(() => opts.parked ?? false), requeue: jest.fn(async () => undefined) },
    settings: { redeliveryMs: 180_000, acceptLeaseMs: 60_000 },
    clock: () => NOW,
  };
  return d as typeof d & RetrySolutionDeps;
}

describe('retrySolution: through the pipeline, never around it', () => {
  test('ACCEPT_FAILED goes back to CREATED for the stream; a waiting CREATED is due now for the reconciler', async () => {
    const d = deps();
    await expect(retrySolution(record({ status: 'ACCEPT_FAILED' }), d)).resolves.toEqual({ outcome: 'accept-retried', via: 'stream' });
    expect(d.store.reopenAccept).toHaveBeenCalledWith('ob-1', '111', NOW);
    const waiting = record({ status: 'CREATED', acceptAttempts: 3 });
    await expect(retrySolution(waiting, d)).resolves.toEqual({ outcome: 'accept-retried', via: 'reconciler' });
    expect(d.store.hurryAccept).toHaveBeenCalledWith(waiting, NOW, 60_000);
  });

  test('a write refused because the item moved on is reported, not claimed as done', async () => {
    await expect(retrySolution(record({ status: 'ACCEPT_FAILED' }), deps({ reopen: 'moved-on' }))).resolves.toEqual({ outcome: 'moved-on' });
    await expect(retrySolution(record({ status: 'CREATED' }), deps({ writes: false }))).resolves.toEqual({ outcome: 'moved-on' });
  });

  test('an ACCEPT_FAILED solution whose app another onboarding has taken is not accepted too', async () => {
    await expect(retrySolution(record({ status: 'ACCEPT_FAILED' }), deps({ reopen: 'app-taken' }))).resolves.toMatchObject({ outcome: 'not-retried', reason: 'APP_TAKEN' });
  });

  test('a CREATED solution claimed within the accept lease is left to its attempt', async () => {
    const d = deps();
    const claimed = record({ status: 'CREATED', acceptAttempts: 1, updatedAt: new Date(NOW.getTime() - 30_000).toISOString() });
    await expect(retrySolution(claimed, d)).resolves.toMatchObject({ outcome: 'not-retried', reason: 'ACCEPT_UNDER_WAY', message: expect.stringContaining('2026-11-28T12:00:30.000Z') });
    expect(d.store.hurryAccept).not.toHaveBeenCalled();
  });

  test('an abandoned create with its token parked and valid: PENDING again first, then its message requeued', async () => {
    const d = deps({ parked: true, tokenExpiresAt: NOW.getTime() / 1000 + 3600 });
    const order: string[] = [];
    d.store.reopenCreate.mockImplementation(async () => (order.push('reopen'), true));
    d.parkedCreates.requeue.mockImplementation(async () => void order.push('requeue'));
    await expect(retrySolution(record({ status: 'CREATE_FAILED', lastError: abandoned }), d)).resolves.toEqual({ outcome: 'create-retried' });
    expect(d.store.reopenCreate).toHaveBeenCalledWith('ob-1', '111', NOW, new Date(NOW.getTime() + 180_000));
    expect(order).toEqual(['reopen', 'requeue']);
  });

  test.each([
    ['no parked message', { status: 'CREATE_FAILED', lastError: abandoned }, { parked: false }, 'NO_TOKEN'],
    ['an expired token', { status: 'CREATE_FAILED', lastError: abandoned }, { parked: true, tokenExpiresAt: NOW.getTime() / 1000 - 1 }, 'TOKEN_EXPIRED'],
    ['a create Graph refused for good', { status: 'CREATE_FAILED', lastError: { code: 100, message: 'Invalid parameter' } }, { parked: true }, 'NO_TOKEN'],
    ['a name ambiguous on Graph', { status: 'CREATE_FAILED', lastError: { code: 2, message: 'x', reason: 'AMBIGUOUS_ON_GRAPH' as const } }, { parked: true }, 'AMBIGUOUS_ON_GRAPH'],
    ['a create under way', { status: 'CREATING', nextAttemptAt: '2026-11-28T12:01:00.000Z' }, {}, 'UNDER_WAY'],
    ['an accepted solution', { status: 'ACCEPTED' }, {}, 'NOTHING_TO_RETRY'],
    ['a deactivation request', { status: 'PENDING_DEACTIVATION', solutionId: '9' }, {}, 'DEACTIVATION_PENDING'],
  ] as const)('not retried, with the reason: %s', async (_, over, opts, reason) => {
    const d = deps(opts);
    await expect(retrySolution(record(over as Partial<SolutionRecord>), d)).resolves.toMatchObject({ outcome: 'not-retried', reason, message: expect.any(String) });
    expect(d.store.reopenCreate).not.toHaveBeenCalled();
    expect(d.parkedCreates.requeue).not.toHaveBeenCalled();
  });
});

describe('retry --dry-run', () => {
  test('says what each retry would do, from the same reads, and writes nothing', async () => {
    const store = {
      appGuardHolder: jest.fn(async (appId: string) => ({ holderId: appId === '222' ? 'ob-other' : 'ob-1' })),
      getOnboarding: jest.fn(async () => ({ onboarding: { tokenExpiresAt: 0 }, solutions: [] })),
      reopenAccept: jest.fn(),
      hurryAccept: jest.fn(),
      reopenCreate: jest.fn(),
    };
    const target = { store, config: { createRedeliveryMs: 180_000, acceptLeaseMs: 60_000 } } as unknown as OpsTarget;
    const parked = { has: () => true, requeue: jest.fn(async () => undefined) };
    const deps = retryDeps(target, parked, () => NOW, true);

    await expect(retrySolution(record({ status: 'ACCEPT_FAILED' }), deps)).resolves.toEqual({ outcome: 'accept-retried', via: 'stream' });
    await expect(retrySolution(record({ status: 'ACCEPT_FAILED', appId: '222' }), deps)).resolves.toMatchObject({ outcome: 'not-retried', reason: 'APP_TAKEN' });
    await expect(retrySolution(record({ status: 'CREATED' }), deps)).resolves.toEqual({ outcome: 'accept-retried', via: 'reconciler' });
    await expect(retrySolution(record({ status: 'CREATE_FAILED', lastError: abandoned }), deps)).resolves.toEqual({ outcome: 'create-retried' });
    for (const write of [store.reopenAccept, store.hurryAccept, store.reopenCreate, parked.requeue]) expect(write).not.toHaveBeenCalled();
  });
});
