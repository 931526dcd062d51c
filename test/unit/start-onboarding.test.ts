import { OnboardingRejected, startOnboarding, type StartOnboardingDeps } from '../../lambdas/domain/start-onboarding';
import { GraphError } from '../../lambdas/graph/graph-error';
import { FakeIntakeGraph, FakeQueue } from '../support/fakes';
import { MemoryRecordPorts } from '../support/memory-record-store';
import { rejectionOf } from '../support/rejection';

const APPS = [
  { id: '111', name: 'media_monsoon_prod' },
  { id: '222', name: 'media_monsoon_staging' },
];

function setup() {
  const store = new MemoryRecordPorts();
  const graph = new FakeIntakeGraph();
  const queue = new FakeQueue();
  let n = 0;
  const deps: StartOnboardingDeps = {
    store,
    graph,
    queue,
    appSecret: async () => 'app-secret',
    settings: { partnerAppId: '1000000000000001', partnerName: 'Acme', solutionNameTemplate: '{partner} × {appName}' },
    newOnboardingId: () => `00000000-0000-4000-8000-00000000000${++n}`,
    clock: () => new Date('2026-11-27T08:00:00Z'),
  };
  return { store, graph, queue, deps };
}

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, OnboardingRejected);

describe('startOnboarding', () => {
  test('records the onboarding with one PENDING solution per selected app and enqueues one message per app', async () => {
    const { store, graph, queue, deps } = setup();
    graph.addToken('tp-token', APPS);

    const { created, onboarding } = await startOnboarding({ accessToken: 'tp-token' }, deps);

    expect(created).toBe(true);
    expect(onboarding.onboarding.apps).toEqual([
      { appId: '111', name: 'media_monsoon_prod' },
      { appId: '222', name: 'media_monsoon_staging' },
    ]);
    expect(onboarding.solutions.map((s) => [s.appId, s.status, s.attempts])).toEqual([
      ['111', 'PENDING', 0],
      ['222', 'PENDING', 0],
    ]);
    expect(onboarding.solutions[0]!.solutionName).toMatch(/^Acme × media_monsoon_prod · [a-z2-9]{6}$/);
    expect(queue.sent).toEqual([
      { onboardingId: onboarding.onboarding.onboardingId, appId: '111', accessToken: 'tp-token' },
      { onboardingId: onboarding.onboarding.onboardingId, appId: '222', accessToken: 'tp-token' },
    ]);
    const stored = await store.getOnboarding(onboarding.onboarding.onboardingId);
    expect(stored?.onboarding.enqueuedAt).toBe('2026-11-27T08:00:00.000Z');
  });

  test('never stores the token: only a keyed fingerprint that differs from it', async () => {
    const { store, graph, deps } = setup();
    graph.addToken('tp-token', APPS);
    const { onboarding } = await startOnboarding({ accessToken: 'tp-token' }, deps);
    const stored = JSON.stringify(await store.getOnboarding(onboarding.onboarding.onboardingId));
    expect(stored).not.toContain('tp-token');
    expect(onboarding.onboarding.tokenFingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('the same token again returns the first onboarding and creates and enqueues nothing', async () => {
    const { store, graph, queue, deps } = setup();
    graph.addToken('tp-token', APPS);
    const first = await startOnboarding({ accessToken: 'tp-token' }, deps);
    graph.calls.length = 0;

    const second = await startOnboarding({ accessToken: 'tp-token' }, deps);

    expect(second.created).toBe(false);
    expect(second.onboarding.onboarding.onboardingId).toBe(first.onboarding.onboarding.onboardingId);
    expect(store.onboardingItems.size).toBe(1);
    expect(queue.sent).toHaveLength(2);
    expect(graph.calls).toEqual([]);
  });

  test('a repeated POST re-sends the messages that a failed first POST could not enqueue', async () => {
    const { graph, queue, deps } = setup();
    graph.addToken('tp-token', APPS);
    queue.failNext = true;
    await expect(startOnboarding({ accessToken: 'tp-token' }, deps)).rejects.toThrow('SQS unavailable');
    expect(queue.sent).toHaveLength(0);

    const retried = await startOnboarding({ accessToken: 'tp-token' }, deps);

    expect(retried.created).toBe(false);
    expect(queue.sent.map((m) => ('appId' in m ? m.appId : m.kind))).toEqual(['111', '222']);
  });

  test.each([
    ['an invalid or expired token', { isValid: false }, 'INVALID_TOKEN'],
    ['a token issued for another app', { appId: '999' }, 'TOKEN_FOR_ANOTHER_APP'],
    ['a token without manage_app_solution', { scopes: ['public_profile'] }, 'PERMISSION_NOT_GRANTED'],
  ])('rejects %s and writes nothing', async (_, debug, code) => {
    const { store, graph, queue, deps } = setup();
    graph.addToken('tp-token', APPS, debug);
    const error = await rejection(startOnboarding({ accessToken: 'tp-token' }, deps));
    expect(error.code).toBe(code);
    expect(store.onboardingItems.size).toBe(0);
    expect(queue.sent).toHaveLength(0);
  });

  test('rejects a login where no app was selected, writing nothing', async () => {
    const { store, graph, queue, deps } = setup();
    graph.addToken('tp-token', []);
    expect((await rejection(startOnboarding({ accessToken: 'tp-token' }, deps))).code).toBe('NO_APP_SELECTED');
    expect(store.onboardingItems.size).toBe(0);
    expect(queue.sent).toHaveLength(0);
  });

  test('reports a rejected app token as our misconfiguration, not as the Tech Provider’s bad token', async () => {
    const { deps } = setup();
    deps.graph = {
      debugToken: async () => {
        throw new GraphError('permanent', { code: 190, message: 'Invalid OAuth access token' }, 400);
      },
      listSelectedApps: async () => [],
    };
    const error = await startOnboarding({ accessToken: 'tp-token' }, deps).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(OnboardingRejected);
    expect(error).not.toBeInstanceOf(GraphError);
    expect((error as Error).message).toMatch(/PARTNER_APP_ID and the app secret/);
    expect((error as Error).message).not.toContain('app-secret');
  });
});
