import { jest } from '@jest/globals';
import { onboardingAccepted, onboardingStatusView } from '../../lambdas/domain/onboarding-view';
import { reconcile } from '../../lambdas/domain/reconcile';
import { startOnboarding, type StartOnboardingDeps } from '../../lambdas/domain/start-onboarding';
import { verifyOnboarding, type VerifyOnboardingDeps } from '../../lambdas/domain/verify-onboarding';
import { GraphError } from '../../lambdas/graph/graph-error';
import type { VerifyOnboardingMessage } from '../../lambdas/queue/create-solution-message';
import { SCHEDULE } from '../../lambdas/schedule';
import { FakeIntakeGraph, FakeQueue } from '../support/fakes';
import { memoryRecordStore } from '../support/memory-record-store';
import { listCommand } from '../../ops/commands/list';
import { showCommand } from '../../ops/commands/show';
import type { ClientStore } from '../../lambdas/domain/clients/client-records';
import { CLIENT_STATUSES } from '../../lambdas/domain/clients/client-status';
import { VERIFICATION_STATUSES } from '../../lambdas/domain/records';
import { SOLUTION_STATUSES } from '../../lambdas/domain/solution-status';

const PARTNER = '1000000000000001';
const TOKEN = 'EAAtp-token-under-check';
const APPS = [
  { id: '111', name: 'media_monsoon_prod' },
  { id: '222', name: 'media_monsoon_staging' },
];
const T0 = new Date('2026-11-27T08:00:00Z');
const throttled = (seconds?: number) => new GraphError('throttled', { code: 4, message: 'Application request limit reached' }, 400, seconds);
/** What the pacer throws for a call it does not send: Graph's hold lasts longer than the call may wait. */
const notSent = () => new GraphError('throttled', { code: 4, message: 'Graph call not sent: Graph throttled this app (code 4); calls resume in 300 s' }, 0, 300);
const down = () => new GraphError('transient', { code: 2, message: 'Service temporarily unavailable' }, 503);

function setup() {
  const { store, ports } = memoryRecordStore();
  const graph = new FakeIntakeGraph();
  const queue = new FakeQueue();
  let now = T0;
  const clock = () => now;
  const settings = { partnerAppId: PARTNER, partnerName: 'Acme', solutionNameTemplate: '{partner} × {appName}' };
  let n = 0;
  const intake: StartOnboardingDeps = {
    store,
    graph,
    queue,
    appSecret: async () => 'app-secret',
    settings,
    newOnboardingId: () => `00000000-0000-4000-8000-00000000000${++n}`,
    clock,
  };
  const worker: VerifyOnboardingDeps = { store, graph, queue, appSecret: async () => 'app-secret', settings, clock };
  const creates = () => queue.sent.filter((m) => m.kind !== 'verify');
  const verifies = () => queue.sent.filter((m): m is VerifyOnboardingMessage => m.kind === 'verify');
  return { store, ports, graph, queue, intake, worker, creates, verifies, at: (date: Date) => (now = date) };
}

const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** A POST Graph throttles: the onboarding is taken VERIFYING. */
async function deferred(s: ReturnType<typeof setup>, expiresInSeconds?: number) {
  s.graph.addToken(TOKEN, APPS, { expiresAt: Math.floor(T0.getTime() / 1000) + 5400 });
  s.graph.troubles.debugToken = throttled(60);
  const started = await startOnboarding({ accessToken: TOKEN, ...(expiresInSeconds ? { expiresInSeconds } : {}) }, s.intake);
  delete s.graph.troubles.debugToken;
  s.graph.calls.length = 0;
  const [message] = s.verifies();
  return { started, message: message!, onboardingId: started.onboarding.onboarding.onboardingId };
}

test('a deferred check’s statuses name no solution’s or client’s status: those onboardings share the byStatus index with them', () => {
  expect(VERIFICATION_STATUSES.filter((v) => [...SOLUTION_STATUSES, ...CLIENT_STATUSES].includes(v as never))).toEqual([]);
});

describe('intake when Graph does not let it check the token in time', () => {
  test.each([
    ['debug_token is throttled', (g: FakeIntakeGraph) => (g.troubles.debugToken = throttled(60))],
    ['the pacer refuses to send debug_token (a hold longer than a call may wait)', (g: FakeIntakeGraph) => (g.troubles.debugToken = notSent())],
    ['debug_token fails for now', (g: FakeIntakeGraph) => (g.troubles.debugToken = down())],
    ['the app listing is throttled', (g: FakeIntakeGraph) => (g.troubles.listSelectedApps = throttled())],
  ])('%s: takes the click, VERIFYING, with one verify message and no create message', async (_, trouble) => {
    const s = setup();
    s.graph.addToken(TOKEN, APPS);
    trouble(s.graph);

    const { created, onboarding } = await startOnboarding({ accessToken: TOKEN, expiresInSeconds: 3000 }, s.intake);

    expect(created).toBe(true);
    expect(onboardingAccepted(onboarding, '/x')).toEqual({ onboardingId: onboarding.onboarding.onboardingId, statusUrl: '/x', apps: [], status: 'VERIFYING' });
    const stored = await s.store.getOnboarding(onboarding.onboarding.onboardingId);
    expect(stored?.solutions).toEqual([]);
    expect(stored?.onboarding).toMatchObject({ status: 'VERIFYING', apps: [], enqueuedAt: T0.toISOString() });
    expect(s.queue.sent).toEqual([{ kind: 'verify', onboardingId: onboarding.onboarding.onboardingId, accessToken: TOKEN }]);
    expect(s.creates()).toEqual([]);
  });

  test('the token’s lifetime: what the POST said (expiresIn), a default when it said nothing, and debug_token’s expires_at once that answered', async () => {
    const lifetimeEnd = async (prepare: (g: FakeIntakeGraph) => void, expiresInSeconds?: number) => {
      const s = setup();
      s.graph.addToken(TOKEN, APPS, { expiresAt: Math.floor(T0.getTime() / 1000) + 5400 });
      prepare(s.graph);
      const { onboarding } = await startOnboarding({ accessToken: TOKEN, ...(expiresInSeconds ? { expiresInSeconds } : {}) }, s.intake);
      return onboarding.onboarding.verifyBy;
    };
    await expect(lifetimeEnd((g) => (g.troubles.debugToken = throttled()), 3000)).resolves.toBe(later(3000).toISOString());
    await expect(lifetimeEnd((g) => (g.troubles.debugToken = throttled()))).resolves.toBe(later(SCHEDULE.verification.defaultTokenLifetimeSeconds).toISOString());
    await expect(lifetimeEnd((g) => (g.troubles.listSelectedApps = throttled()), 3000)).resolves.toBe(later(5400).toISOString());
  });

  test('Graph too slow for intake’s deadline: its calls are cut off while the writes still fit, and the click is taken VERIFYING', async () => {
    const s = setup();
    let cutAfterMs: number | undefined;
    const started = Date.now();
    s.intake.graph = {
      debugToken: (_token, _app, signal) =>
        new Promise((_, reject) =>
          signal!.addEventListener('abort', () => {
            cutAfterMs = Date.now() - started;
            reject(new GraphError('transient', { code: -1, message: "Graph API GET /debug_token was cut off at the caller's deadline" }, 0));
          }),
        ),
      listSelectedApps: async () => APPS,
    };
    const endsAt = Date.now() + SCHEDULE.intakeWriteReserveMs + 200;
    const deadline = { signal: AbortSignal.timeout(endsAt - Date.now()), timeLeftMs: () => endsAt - Date.now() };

    const { onboarding } = await startOnboarding({ accessToken: TOKEN }, s.intake, deadline);

    expect(cutAfterMs).toBeLessThan(SCHEDULE.intakeWriteReserveMs);
    expect(onboarding.onboarding.status).toBe('VERIFYING');
    expect(s.verifies()).toHaveLength(1);
  });

  test('the same token again while VERIFYING: the same onboarding (200), no second check; a verify message that could not be sent is sent then', async () => {
    const s = setup();
    s.graph.addToken(TOKEN, APPS);
    s.graph.troubles.debugToken = throttled();
    s.queue.failNext = true;
    await expect(startOnboarding({ accessToken: TOKEN }, s.intake)).rejects.toThrow('SQS unavailable');

    const again = await startOnboarding({ accessToken: TOKEN }, s.intake);
    const third = await startOnboarding({ accessToken: TOKEN }, s.intake);

    expect([again.created, third.created]).toEqual([false, false]);
    expect(third.onboarding.onboarding.onboardingId).toBe(again.onboarding.onboarding.onboardingId);
    expect(s.ports.onboardingItems.size).toBe(1);
    expect(s.verifies()).toHaveLength(1);
    // The first POST's check only (debug_token and the listing go out together); none after it.
    expect(s.graph.calls.sort()).toEqual(['debugToken', 'listSelectedApps']);
  });

  test('the token is never stored: not while VERIFYING, not once checked, not once failed', async () => {
    const s = setup();
    const { message, onboardingId } = await deferred(s);
    const atRest = () => JSON.stringify([...s.ports.onboardingItems.values(), ...s.ports.items.values(), ...s.ports.tokenGuards.entries()]);
    expect(atRest()).not.toContain(TOKEN);
    await verifyOnboarding(message, s.worker);
    expect(atRest()).not.toContain(TOKEN);
    expect((await s.store.getOnboarding(onboardingId))?.solutions).toHaveLength(2);

    const other = setup();
    const failing = await deferred(other);
    other.graph.tokens.get(TOKEN)!.debug.isValid = false;
    await verifyOnboarding(failing.message, other.worker);
    expect(JSON.stringify([...other.ports.onboardingItems.values()])).not.toContain(TOKEN);
  });
});

describe('the verify message (the check intake deferred)', () => {
  test('once Graph allows: the solutions are written PENDING and their create messages sent, once, however often the message comes', async () => {
    const s = setup();
    const { message, onboardingId } = await deferred(s);

    const first = await verifyOnboarding(message, s.worker);
    const second = await verifyOnboarding(message, s.worker);

    expect(first).toEqual({ outcome: 'verified', apps: 2 });
    expect(second).toEqual({ outcome: 'skipped', status: 'VERIFIED' });
    const stored = (await s.store.getOnboarding(onboardingId))!;
    expect(stored.onboarding.status).toBeUndefined();
    expect(stored.onboarding.apps).toEqual([
      { appId: '111', name: 'media_monsoon_prod' },
      { appId: '222', name: 'media_monsoon_staging' },
    ]);
    expect(stored.solutions.map((x) => [x.appId, x.status])).toEqual([
      ['111', 'PENDING'],
      ['222', 'PENDING'],
    ]);
    expect(s.creates()).toEqual([
      { onboardingId, appId: '111', accessToken: TOKEN },
      { onboardingId, appId: '222', accessToken: TOKEN },
    ]);
    expect(stored.onboarding.enqueuedAt).toBe(T0.toISOString());
    const view = await onboardingStatusView(stored, async () => 0);
    expect([view.status, view.solutions.length]).toEqual(['IN_PROGRESS', 2]);
  });

  test('checked, but its create messages not all sent: the next delivery sends them, without checking again', async () => {
    const s = setup();
    const { message } = await deferred(s);
    s.queue.failNext = true;
    await expect(verifyOnboarding(message, s.worker)).rejects.toThrow('SQS unavailable');
    s.graph.calls.length = 0;

    await expect(verifyOnboarding(message, s.worker)).resolves.toEqual({ outcome: 'resumed' });
    expect(s.creates().map((m) => ('appId' in m ? m.appId : ''))).toEqual(['111', '222']);
    expect(s.graph.calls).toEqual([]);
  });

  test.each([
    ['an invalid or expired token', { debug: { isValid: false } }, 'INVALID_TOKEN'],
    ['a token issued for another app', { debug: { appId: '999' } }, 'TOKEN_FOR_ANOTHER_APP'],
    ['a token without manage_app_solution', { debug: { scopes: ['public_profile'] } }, 'PERMISSION_NOT_GRANTED'],
    ['no app selected', { apps: [] }, 'NO_APP_SELECTED'],
    ['too many apps', { apps: Array.from({ length: 99 }, (_, i) => ({ id: `9${i}`, name: `app ${i}` })) }, 'TOO_MANY_APPS'],
    ['a token the listing refuses (code 190)', { listing: new GraphError('permanent', { code: 190, message: 'Error validating access token' }, 400) }, 'INVALID_TOKEN'],
  ])('%s ends the onboarding FAILED with the code the POST would have answered', async (_, found, code) => {
    const s = setup();
    const { message, onboardingId } = await deferred(s);
    const token = s.graph.tokens.get(TOKEN)!;
    Object.assign(token.debug, 'debug' in found ? found.debug : {});
    if ('apps' in found) token.apps = found.apps!;
    if ('listing' in found) s.graph.troubles.listSelectedApps = found.listing;

    await expect(verifyOnboarding(message, s.worker)).resolves.toMatchObject({ outcome: 'failed', error: { code } });

    const stored = (await s.store.getOnboarding(onboardingId))!;
    expect(stored.solutions).toEqual([]);
    expect(s.creates()).toEqual([]);
    const view = await onboardingStatusView(stored, async () => 0);
    expect(view).toMatchObject({ status: 'FAILED', solutions: [], error: { code } });
    expect(view.error!.message.length).toBeGreaterThan(0);
  });

  test('Graph still busy: a retry (the queue brings it back), still VERIFYING; on the last delivery, FAILED with the code the POST would have answered', async () => {
    const s = setup();
    const { message, onboardingId } = await deferred(s);
    s.graph.troubles.debugToken = throttled(120);

    const retry = await verifyOnboarding(message, s.worker, { final: false });
    expect(retry).toMatchObject({ outcome: 'retry', graphError: { errorClass: 'throttled', retryAfterSeconds: 120 } });
    expect((await s.store.getOnboarding(onboardingId))!.onboarding.status).toBe('VERIFYING');

    await expect(verifyOnboarding(message, s.worker, { final: true })).resolves.toMatchObject({ outcome: 'failed', error: { code: 'GRAPH_THROTTLED' } });
    const other = setup();
    const failing = await deferred(other);
    other.graph.troubles.debugToken = down();
    await expect(verifyOnboarding(failing.message, other.worker, { final: true })).resolves.toMatchObject({ outcome: 'failed', error: { code: 'GRAPH_UNAVAILABLE' } });
    expect(s.creates()).toEqual([]);
  });

  test('the same token posted again after its check failed is checked again (FB.login hands out the same token while it lasts): VERIFYING, one more verify message', async () => {
    const s = setup();
    const { message, onboardingId } = await deferred(s);
    s.graph.troubles.debugToken = throttled();
    await verifyOnboarding(message, s.worker, { final: true });
    expect((await s.store.getOnboarding(onboardingId))!.onboarding.status).toBe('VERIFY_FAILED');
    delete s.graph.troubles.debugToken;
    s.at(later(60));

    const again = await startOnboarding({ accessToken: TOKEN, expiresInSeconds: 1800 }, s.intake);

    expect(again.created).toBe(false);
    expect(onboardingAccepted(again.onboarding, '/x')).toMatchObject({ onboardingId, status: 'VERIFYING' });
    expect(again.onboarding.onboarding).toMatchObject({ verifyBy: later(1860).toISOString() });
    expect(again.onboarding.onboarding).not.toHaveProperty('verifyError');
    expect(s.verifies()).toHaveLength(2);
    await expect(verifyOnboarding(message, s.worker)).resolves.toEqual({ outcome: 'verified', apps: 2 });
    expect(s.creates()).toHaveLength(2);
  });

  test('past the token’s lifetime: FAILED, TOKEN_EXPIRED, without asking Graph (on the last delivery too)', async () => {
    const s = setup();
    const { message, onboardingId, started } = await deferred(s, 600);
    expect(started.onboarding.onboarding.verifyBy).toBe(later(600).toISOString());
    s.at(later(601));

    await expect(verifyOnboarding(message, s.worker)).resolves.toMatchObject({ outcome: 'failed', error: { code: 'TOKEN_EXPIRED' } });
    expect(s.graph.calls).toEqual([]);
    const view = await onboardingStatusView((await s.store.getOnboarding(onboardingId))!, async () => 0);
    expect(view).toMatchObject({ status: 'FAILED', error: { code: 'TOKEN_EXPIRED' } });

    // Graph busy to the last delivery, which came after the lifetime ended: the token expired, whatever Graph said.
    const other = setup();
    const late = await deferred(other, 600);
    other.graph.troubles.debugToken = throttled();
    // Within the lifetime when the delivery starts, past it once Graph has answered.
    const worker = { ...other.worker, clock: jest.fn(() => later(700)).mockReturnValueOnce(later(599)) };
    await expect(verifyOnboarding(late.message, worker, { final: true })).resolves.toMatchObject({ outcome: 'failed', error: { code: 'TOKEN_EXPIRED' } });
  });
});

describe('the reconciler, the safety net for a lost or parked verify message', () => {
  test('ends FAILED (TOKEN_EXPIRED) an onboarding still VERIFYING past its token’s lifetime, and leaves one within it', async () => {
    const s = setup();
    const stale = await deferred(s, 600);
    s.graph.troubles.debugToken = throttled();
    const fresh = await startOnboarding({ accessToken: 'EAAanother-token', expiresInSeconds: 7200 }, s.intake);
    s.at(later(900));

    const report = await reconcile({
      store: s.store,
      graph: { listAppSolutions: async () => [], getSolutionState: async () => ({ status: 'ACTIVE' }) },
      createQueueHasBacklog: async () => false,
      accept: async () => ({ outcome: 'skipped', status: 'MISSING' }) as never,
      systemUserToken: async () => 'system-user-token',
      settings: { partnerAppId: PARTNER, stalledAfterMs: 300_000, acceptHandoffMs: 120_000, lifecyclePollAfterMs: 86_400_000, maxItemsPerPass: 100, minTimeLeftMs: 0 },
      clock: () => later(900),
      timeLeftMs: () => 60_000,
    });

    expect(report.expired).toEqual([stale.onboardingId]);
    expect((await s.store.getOnboarding(stale.onboardingId))!.onboarding).toMatchObject({ status: 'VERIFY_FAILED', verifyError: { code: 'TOKEN_EXPIRED' } });
    expect((await s.store.getOnboarding(fresh.onboarding.onboarding.onboardingId))!.onboarding.status).toBe('VERIFYING');
    // The message that comes after all changes nothing.
    await expect(verifyOnboarding(stale.message, s.worker)).resolves.toEqual({ outcome: 'skipped', status: 'VERIFY_FAILED' });
  });
});

describe('ops, on an onboarding whose login is checked later', () => {
  test('show says it is VERIFYING, until when, and Graph’s last error; then why its check failed; list says why it has no solutions', async () => {
    const s = setup();
    const { onboardingId, message } = await deferred(s, 3000);
    await s.store.recordVerifyWaiting(onboardingId, later(120), throttled(120).details, T0);
    const stores = { store: s.store, clients: {} as ClientStore };

    const verifying = await showCommand(stores, { kind: 'onboarding', id: onboardingId });
    expect(verifying.lines.join('\n')).toMatch(/: VERIFYING, started[\s\S]*login being checked \(Graph was busy at intake\) until 2026-11-27T08:50:00Z, the token's lifetime; verify message sent [^;]+; next attempt by 2026-11-27T08:02:00Z\n {4}last error: .*Application request limit reached/);
    expect(verifying.data).toMatchObject({ onboardings: [{ status: 'VERIFYING', verification: 'VERIFYING', solutions: [] }] });
    expect(JSON.stringify(verifying.data)).not.toContain('tokenFingerprint');
    expect((await listCommand(s.store, { onboardingId, limit: 10 })).lines).toEqual([
      'No solutions match.',
      `Onboarding ${onboardingId} is VERIFYING: its login is checked once Graph allows, until 2026-11-27T08:50:00Z; its solutions come then.`,
    ]);

    s.graph.tokens.get(TOKEN)!.debug.isValid = false;
    await verifyOnboarding(message, s.worker);
    const failed = await showCommand(stores, { kind: 'onboarding', id: onboardingId });
    expect(failed.lines.join('\n')).toMatch(/: FAILED, started[\s\S]*login check failed: INVALID_TOKEN: The Facebook login is no longer valid/);
    expect((await listCommand(s.store, { onboardingId, limit: 10 })).lines[1]).toBe(`Onboarding ${onboardingId} FAILED its login's check (INVALID_TOKEN): it has no solutions.`);
  });
});
