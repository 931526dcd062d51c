import type { LifecycleWrite } from '../../lambdas/domain/records/lifecycle-records';
import type { LiveHolder } from '../../lambdas/domain/records/create-records';
import type { RecordStore } from '../../lambdas/domain/records/record-store';
import { HISTORY_LIMIT, type Onboarding, type SolutionRecord } from '../../lambdas/domain/records';

/**
 * The record store's behaviour, one set of cases for both implementations: the in-memory ports in the
 * unit tier (test/unit/record-store.test.ts) and DynamoDB Local in the integration tier
 * (test/integration/record-store.test.ts). Cases share one store; each uses its own app ids, since
 * an app's guard outlives an onboarding.
 */
export function recordStoreCases(storeOf: () => RecordStore): void {
  let store: RecordStore;
  beforeAll(() => {
    store = storeOf();
  });

  test('writes an onboarding once per token fingerprint and reads it back whole', async () => {
    const onboarding = newOnboarding();
    await expect(store.createOnboarding(onboarding)).resolves.toBe('created');
    await expect(store.createOnboarding({ ...newOnboarding(), onboarding: { ...newOnboarding().onboarding, tokenFingerprint: onboarding.onboarding.tokenFingerprint } })).resolves.toBe(
      'duplicate',
    );

    await expect(store.findOnboardingIdByFingerprint(onboarding.onboarding.tokenFingerprint)).resolves.toBe(onboarding.onboarding.onboardingId);
    const read = await store.getOnboarding(onboarding.onboarding.onboardingId);
    expect(read?.onboarding).toMatchObject(onboarding.onboarding);
    expect(read?.solutions.map((s) => [s.appId, s.status])).toEqual([
      ['111', 'PENDING'],
      ['222', 'PENDING'],
    ]);
    await expect(store.getOnboarding('ob-missing')).resolves.toBeUndefined();
  });

  test('an onboarding whose check was deferred: VERIFYING without solutions, found past its lifetime, verified once with its solutions, failed and reopened only from the status each expects', async () => {
    const verifying = (): Onboarding => {
      const { onboarding } = newOnboarding([]);
      return { onboarding: { ...onboarding, status: 'VERIFYING', verifyBy: later(60_000).toISOString() }, solutions: [] };
    };
    const first = verifying();
    const id = first.onboarding.onboardingId;
    await expect(store.createOnboarding(first)).resolves.toBe('created');
    await store.markEnqueued(id, T0, true);
    await store.recordVerifyWaiting(id, later(30_000), { code: 4, message: 'Application request limit reached' }, later(1_000));
    expect((await store.getOnboarding(id))?.onboarding).toMatchObject({ status: 'VERIFYING', enqueuedAt: T0.toISOString(), nextAttemptAt: later(30_000).toISOString(), lastError: { code: 4 } });
    const pastBy = async (at: Date) => (await store.findVerifyingPast(at, 100)).map((o) => o.onboardingId).filter((found) => found === id);
    await expect(pastBy(later(59_999))).resolves.toEqual([]);
    await expect(pastBy(later(60_000))).resolves.toEqual([id]);

    const checked = { onboarding: { ...first.onboarding, apps: [{ appId: '131', name: 'app 131' }], techProviderUserId: 'tp', tokenExpiresAt: 0, updatedAt: later(2_000).toISOString() }, solutions: newOnboardingSolutions(id, ['131']) };
    await expect(store.completeVerification(checked)).resolves.toBe(true);
    await expect(store.completeVerification(checked)).resolves.toBe(false);
    await expect(store.failVerification(id, { code: 'INVALID_TOKEN', message: 'x' }, later(3_000))).resolves.toBe(false);
    const verified = (await store.getOnboarding(id))!;
    expect(verified.onboarding).toMatchObject({ apps: [{ appId: '131', name: 'app 131' }], techProviderUserId: 'tp', tokenExpiresAt: 0 });
    for (const gone of ['status', 'verifyBy', 'enqueuedAt', 'lastError', 'nextAttemptAt']) expect(verified.onboarding).not.toHaveProperty(gone);
    expect(verified.solutions.map((s) => [s.appId, s.status])).toEqual([['131', 'PENDING']]);
    await expect(pastBy(later(60_000))).resolves.toEqual([]);

    const second = verifying();
    const other = second.onboarding.onboardingId;
    await store.createOnboarding(second);
    await expect(store.reopenVerification(other, later(90_000).toISOString(), later(1_000))).resolves.toBe(false);
    await expect(store.failVerification(other, { code: 'TOKEN_EXPIRED', message: 'expired' }, later(61_000))).resolves.toBe(true);
    await store.markEnqueued(other, later(61_500), true);
    expect((await store.getOnboarding(other))?.onboarding).toMatchObject({ status: 'VERIFY_FAILED', verifyError: { code: 'TOKEN_EXPIRED', message: 'expired' } });
    expect((await store.getOnboarding(other))?.onboarding).not.toHaveProperty('enqueuedAt');
    await expect(store.reopenVerification(other, later(90_000).toISOString(), later(62_000))).resolves.toBe(true);
    const reopened = (await store.getOnboarding(other))!.onboarding;
    expect(reopened).toMatchObject({ status: 'VERIFYING', verifyBy: later(90_000).toISOString() });
    expect(reopened).not.toHaveProperty('verifyError');
  });

  test('one claim wins; a second claim while the lease runs is busy; a settled solution is never claimed', async () => {
    const { onboarding } = newOnboarding(['111']);
    await store.createOnboarding({ onboarding, solutions: newOnboardingSolutions(onboarding.onboardingId) });
    const id = onboarding.onboardingId;

    const first = await store.claimForCreate(id, '111', T0, TIMING);
    expect(first).toMatchObject({ kind: 'claimed', attempt: 1, record: { status: 'CREATING', attempts: 1 } });
    await expect(store.claimForCreate(id, '111', later(1_000), TIMING)).resolves.toEqual({ kind: 'busy', retryInMs: 10_000 });

    await expect(store.recordCreated(id, '111', 1, 'sol-1', later(2_000))).resolves.toBe(true);
    await expect(store.recordCreated(id, '111', 1, 'sol-2', later(3_000))).resolves.toBe(false);
    await expect(store.claimForCreate(id, '111', later(60_000), TIMING)).resolves.toMatchObject({ kind: 'settled', record: { status: 'CREATED', solutionId: 'sol-1' } });
  });

  test('an expired or released lease lets the next attempt in, and fences the stale one out', async () => {
    const { onboarding } = newOnboarding(['112']);
    await store.createOnboarding({ onboarding, solutions: newOnboardingSolutions(onboarding.onboardingId, ['112']) });
    const id = onboarding.onboardingId;

    await store.claimForCreate(id, '112', T0, TIMING);
    // The first attempt went silent: after its lease the next one takes over.
    await expect(store.claimForCreate(id, '112', later(30_001), TIMING)).resolves.toMatchObject({ kind: 'claimed', attempt: 2 });
    // The first attempt wakes up: none of its writes land any more.
    await expect(store.recordCreated(id, '112', 1, 'sol-stale', later(30_002))).resolves.toBe(false);
    await expect(store.recordCreateFailed(id, '112', 1, { code: 100, message: 'stale' }, later(30_003))).resolves.toBe(false);
    // Its failure did not apply: the app's guard stays with the item, which attempt 2 holds.
    await expect(store.appGuardHolder('112')).resolves.toMatchObject({ holderId: id, holder: { status: 'CREATING', attempts: 2 } });
    await store.releaseCreateLease(id, '112', 1, { code: 2, message: 'stale' }, later(30_004), { notBefore: 0, nextAttempt: later(40_000) });
    await expect(store.claimForCreate(id, '112', later(30_005), TIMING)).resolves.toMatchObject({ kind: 'busy' });

    // The second attempt fails transiently, releases its lease at once and keeps Graph's error.
    await store.releaseCreateLease(id, '112', 2, { code: 2, message: 'Service unavailable' }, later(31_000), { notBefore: 0, nextAttempt: later(35_000) });
    await expect(store.getSolution(id, '112')).resolves.toMatchObject({ status: 'CREATING', lastError: { code: 2 }, nextAttemptAt: later(35_000).toISOString() });
    await expect(store.claimForCreate(id, '112', later(31_001), TIMING)).resolves.toMatchObject({ kind: 'claimed', attempt: 3 });
    await expect(store.recordCreated(id, '112', 3, 'sol-3', later(31_002))).resolves.toBe(true);
  });

  test('an item that never got past PENDING ends CREATE_FAILED only as the reconciler saw it: a delivery noted since keeps it PENDING', async () => {
    const { onboarding } = newOnboarding(['125']);
    await store.createOnboarding({ onboarding, solutions: newOnboardingSolutions(onboarding.onboardingId, ['125']) });
    const id = onboarding.onboardingId;
    const abandoned = { code: -1, message: 'no create message left', reason: 'CREATE_ABANDONED' } as const;

    // The reconciler saw no delivery coming; meanwhile the message came back and said when.
    await store.recordWaiting(id, '125', later(5_000));
    await expect(store.recordNeverCreated(id, '125', abandoned, later(1), undefined)).resolves.toBe(false);
    await expect(store.getSolution(id, '125')).resolves.toMatchObject({ status: 'PENDING', nextAttemptAt: later(5_000).toISOString() });

    await expect(store.recordNeverCreated(id, '125', abandoned, later(2), later(5_000).toISOString())).resolves.toBe(true);
    await expect(store.getSolution(id, '125')).resolves.toMatchObject({ status: 'CREATE_FAILED', lastError: abandoned });
  });

  test('one app, two onboardings: the second waits until the first one’s solution is accepted, then reports it', async () => {
    const first = newOnboarding(['333']);
    const second = newOnboarding(['333']);
    await store.createOnboarding(first);
    await store.createOnboarding(second);
    const [a, b] = [first.onboarding.onboardingId, second.onboarding.onboardingId];

    await expect(store.claimForCreate(a, '333', T0, TIMING)).resolves.toMatchObject({ kind: 'claimed' });
    await expect(store.claimForCreate(b, '333', later(1), TIMING)).resolves.toEqual({ kind: 'busy', retryInMs: 10_000 });
    await store.recordCreated(a, '333', 1, 'sol-333', later(2));
    // Created is not yet live for us: the accept may still fail.
    await expect(store.claimForCreate(b, '333', later(3), TIMING)).resolves.toMatchObject({ kind: 'busy' });
    await store.recordAccepted(a, '333', later(4));
    const existing = await store.claimForCreate(b, '333', later(5), TIMING);
    expect(existing).toMatchObject({ kind: 'existing', holder: { onboardingId: a, status: 'ACCEPTED', solutionId: 'sol-333' } });
    await expect(store.recordExistingElsewhere(b, '333', (existing as { holder: LiveHolder }).holder, later(6))).resolves.toBe(true);
    await expect(store.getSolution(b, '333')).resolves.toMatchObject({ status: 'EXISTING', solutionId: 'sol-333' });
  });

  test('a failed creation frees the app for a later onboarding', async () => {
    const first = newOnboarding(['444']);
    const second = newOnboarding(['444']);
    await store.createOnboarding(first);
    await store.createOnboarding(second);
    const [a, b] = [first.onboarding.onboardingId, second.onboarding.onboardingId];

    await store.claimForCreate(a, '444', T0, TIMING);
    await expect(store.recordCreateFailed(a, '444', 1, { code: 190, message: 'expired' }, later(1))).resolves.toBe(true);
    await expect(store.claimForCreate(b, '444', later(2), TIMING)).resolves.toMatchObject({ kind: 'claimed', attempt: 1 });
  });

  test('a guard left by an onboarding that failed without releasing it is taken over', async () => {
    const first = newOnboarding(['555']);
    const second = newOnboarding(['555']);
    await store.createOnboarding(first);
    await store.createOnboarding(second);
    const [a, b] = [first.onboarding.onboardingId, second.onboarding.onboardingId];
    await store.claimForCreate(a, '555', T0, TIMING);
    await store.recordCreated(a, '555', 1, 'sol-555', later(1));
    await store.recordAccepted(a, '555', later(2));
    await store.recordAcceptFailed(a, '555', 1, { code: 100, message: 'x' }, later(3)); // no-op: already ACCEPTED
    await expect(store.claimForCreate(b, '555', later(4), TIMING)).resolves.toMatchObject({ kind: 'existing', holder: { onboardingId: a, solutionId: 'sol-555' } });

    const third = newOnboarding(['556']);
    const fourth = newOnboarding(['556']);
    await store.createOnboarding(third);
    await store.createOnboarding(fourth);
    await store.claimForCreate(third.onboarding.onboardingId, '556', T0, TIMING);
    await store.recordCreated(third.onboarding.onboardingId, '556', 1, 'sol-556', later(1));
    await store.claimForAccept(third.onboarding.onboardingId, '556', later(1), { first: true, leaseMs: 60_000, retryPeriodMs: 86_400_000 });
    await expect(store.recordAcceptFailed(third.onboarding.onboardingId, '556', 2, { code: 200, message: 'stale attempt' }, later(2))).resolves.toBe(false);
    await expect(store.recordAcceptFailed(third.onboarding.onboardingId, '556', 1, { code: 200, message: 'no permission' }, later(2))).resolves.toBe(true);
    // ACCEPT_FAILED is not live for us: the next onboarding may claim (and will adopt the waiting solution on Graph).
    await expect(store.claimForCreate(fourth.onboarding.onboardingId, '556', later(3), TIMING)).resolves.toMatchObject({ kind: 'claimed' });
  });

  test('each transition applies once, only from its source status', async () => {
    const { onboarding } = newOnboarding(['881', '882']);
    await store.createOnboarding({ onboarding, solutions: newOnboardingSolutions(onboarding.onboardingId, ['881', '882']) });
    const id = onboarding.onboardingId;
    await store.claimForCreate(id, '881', T0, TIMING);
    await store.claimForCreate(id, '882', T0, TIMING);

    await expect(store.recordAccepted(id, '881', later(1))).resolves.toBe(false); // not CREATED yet
    await store.recordCreated(id, '881', 1, 'sol-1', later(2));
    await expect(store.recordAccepted(id, '881', later(3))).resolves.toBe(true);
    await expect(store.recordAcceptFailed(id, '881', 1, { code: 100, message: 'x' }, later(4))).resolves.toBe(false);
    await expect(store.recordCreateFailed(id, '882', 1, { code: 190, subcode: 463, message: 'expired', fbtraceId: 'T' }, later(5))).resolves.toBe(true);

    const solutions = (await store.getOnboarding(id))!.solutions;
    expect(solutions.find((s) => s.appId === '881')).toMatchObject({ status: 'ACCEPTED', solutionId: 'sol-1' });
    expect(solutions.find((s) => s.appId === '881')).not.toHaveProperty('leaseExpiresAt');
    expect(solutions.find((s) => s.appId === '882')).toMatchObject({ status: 'CREATE_FAILED', lastError: { code: 190, subcode: 463, fbtraceId: 'T' } });
  });

  test('an accept is claimed once: by the stream’s first delivery, or by the reconciler once due; a failed attempt schedules the next, fenced by its number', async () => {
    const { onboarding } = newOnboarding(['901']);
    await store.createOnboarding({ onboarding, solutions: newOnboardingSolutions(onboarding.onboardingId, ['901']) });
    const id = onboarding.onboardingId;
    await store.claimForCreate(id, '901', T0, TIMING);
    await store.recordCreated(id, '901', 1, 'sol-901', later(1_000));
    const accept = { leaseMs: 60_000, retryPeriodMs: 86_400_000 };

    // Not due for the reconciler until the handoff has passed, while the stream may take it at once.
    await expect(store.claimForAccept(id, '901', later(2_000), { ...accept, first: false, handoffBefore: T0 })).resolves.toBeUndefined();
    const first = await store.claimForAccept(id, '901', later(2_000), { ...accept, first: true });
    expect(first).toMatchObject({ attempt: 1, record: { acceptAttempts: 1, nextAttemptAt: later(62_000).toISOString(), acceptRetryUntil: later(86_402_000).toISOString() } });
    // A duplicate stream record, or the reconciler while the lease runs: nothing.
    await expect(store.claimForAccept(id, '901', later(3_000), { ...accept, first: true })).resolves.toBeUndefined();
    await expect(store.claimForAccept(id, '901', later(3_000), { ...accept, first: false, handoffBefore: later(3_000) })).resolves.toBeUndefined();

    // The attempt fails and schedules the next; only the holder of attempt 1 may.
    await expect(store.recordAcceptRetry(id, '901', 2, { code: 2, message: 'stale' }, later(4_000), later(5_000))).resolves.toBe(false);
    await expect(store.recordAcceptRetry(id, '901', 1, { code: 2, message: 'down' }, later(4_000), later(14_000))).resolves.toBe(true);
    await expect(store.claimForAccept(id, '901', later(13_000), { ...accept, first: false })).resolves.toBeUndefined();
    const second = await store.claimForAccept(id, '901', later(14_000), { ...accept, first: false });
    // The retry period stays the first attempt's.
    expect(second).toMatchObject({ attempt: 2, record: { lastError: { code: 2 }, acceptRetryUntil: later(86_402_000).toISOString() } });
    await expect(store.recordAccepted(id, '901', later(15_000))).resolves.toBe(true);
    const accepted = await store.getSolution(id, '901');
    expect(accepted).toMatchObject({ status: 'ACCEPTED', acceptAttempts: 2 });
    expect(accepted).not.toHaveProperty('nextAttemptAt');
    expect(accepted).not.toHaveProperty('lastError');
  });

  test('each item keeps its timeline: every transition with its time, attempt and error, bounded to its first and latest entries', async () => {
    const { onboarding } = newOnboarding(['921']);
    await store.createOnboarding({ onboarding, solutions: newOnboardingSolutions(onboarding.onboardingId, ['921']) });
    const id = onboarding.onboardingId;
    await store.claimForCreate(id, '921', T0, TIMING);
    await store.recordCreated(id, '921', 1, 'sol-921', later(1_000));
    await store.claimForAccept(id, '921', later(2_000), { first: true, leaseMs: 60_000, retryPeriodMs: 86_400_000 });
    expect((await store.getSolution(id, '921'))!.history).toEqual([
      { at: T0.toISOString(), status: 'PENDING', by: 'pipeline' },
      { at: T0.toISOString(), status: 'CREATING', by: 'pipeline', note: 'claimed' },
      { at: later(1_000).toISOString(), status: 'CREATED', by: 'pipeline', attempt: 1, note: 'solution sol-921' },
    ]);

    // A day of failing accepts: the timeline stays at HISTORY_LIMIT, its first entry kept, the latest last.
    const long = 'x'.repeat(1_000);
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) {
      await expect(store.recordAcceptRetry(id, '921', 1, { code: 2, message: `down ${i} ${long}` }, later(3_000 + i), later(10_000 + i))).resolves.toBe(true);
    }
    const item = (await store.getSolution(id, '921'))!;
    expect(item.history).toHaveLength(HISTORY_LIMIT);
    expect(item.historyDropped).toBe(3 + HISTORY_LIMIT + 5 - HISTORY_LIMIT);
    expect(item.history![0]).toMatchObject({ status: 'PENDING' });
    expect(item.history!.at(-1)).toMatchObject({ status: 'CREATED', attempt: 1, error: { code: 2 }, note: `accept retry at ${later(10_000 + HISTORY_LIMIT + 4).toISOString()}` });
    expect(item.history!.at(-1)!.error!.message).toHaveLength(200);
    expect(item.history!.at(-2)!.error!.message).toMatch(new RegExp(`^down ${HISTORY_LIMIT + 3} `));
  });

  test('ops’ retries: ACCEPT_FAILED back to CREATED as new; a waiting accept due now, unless changed since read; only an abandoned create reopens', async () => {
    const { onboarding } = newOnboarding(['931', '932', '933']);
    await store.createOnboarding({ onboarding, solutions: newOnboardingSolutions(onboarding.onboardingId, ['931', '932', '933']) });
    const id = onboarding.onboardingId;
    await store.claimForCreate(id, '931', T0, TIMING);
    await store.recordCreated(id, '931', 1, 'sol-931', later(1));
    await store.claimForAccept(id, '931', later(2), { first: true, leaseMs: 60_000, retryPeriodMs: 86_400_000 });
    await expect(store.reopenAccept(id, '931', later(3))).resolves.toBe('moved-on'); // not failed
    const waiting = (await store.getSolution(id, '931'))!;
    await expect(store.hurryAccept({ ...waiting, updatedAt: later(1).toISOString() }, later(4), 1)).resolves.toBe(false); // changed since
    await expect(store.hurryAccept(waiting, later(4), 60_000)).resolves.toBe(false); // claimed within the lease
    await expect(store.hurryAccept(waiting, later(4), 1)).resolves.toBe(true);
    expect(await store.getSolution(id, '931')).toMatchObject({ status: 'CREATED', nextAttemptAt: later(4).toISOString(), acceptAttempts: 1 });
    expect(await store.getSolution(id, '931')).not.toHaveProperty('acceptRetryUntil');

    await store.recordAcceptFailed(id, '931', 1, { code: 200, message: 'Permissions error' }, later(5));
    await expect(store.reopenAccept(id, '931', later(6))).resolves.toBe('reopened');
    const reopened = (await store.getSolution(id, '931'))!;
    expect(reopened).toMatchObject({ status: 'CREATED', history: expect.arrayContaining([expect.objectContaining({ status: 'CREATED', by: 'ops', note: 'accept retried' })]) });
    for (const gone of ['acceptAttempts', 'acceptRetryUntil', 'nextAttemptAt', 'lastError']) expect(reopened).not.toHaveProperty(gone);

    await store.claimForCreate(id, '932', T0, TIMING);
    await store.recordCreateFailed(id, '932', 1, { code: 100, message: 'Invalid parameter' }, later(1));
    await expect(store.reopenCreate(id, '932', later(2), later(200_000))).resolves.toBe(false); // Graph refused it: not known absent
    await store.claimForCreate(id, '933', T0, TIMING);
    await store.recordCreateFailed(id, '933', 1, { code: 2, message: 'down', reason: 'CREATE_ABANDONED' }, later(1));
    await expect(store.reopenCreate(id, '933', later(2), later(200_000))).resolves.toBe(true);
    const pending = (await store.getSolution(id, '933'))!;
    expect(pending).toMatchObject({ status: 'PENDING', attempts: 1, nextAttemptAt: later(200_000).toISOString() });
    expect(pending).not.toHaveProperty('lastError');
    // Claimable again, as a later attempt (which lists the app's solutions before creating).
    await expect(store.claimForCreate(id, '933', later(3), TIMING)).resolves.toMatchObject({ kind: 'claimed', attempt: 2 });
  });

  test('an ACCEPT_FAILED solution is not reopened once another onboarding of its app has taken the app', async () => {
    const first = newOnboarding(['941']);
    await store.createOnboarding(first);
    const id = first.onboarding.onboardingId;
    await store.claimForCreate(id, '941', T0, TIMING);
    await store.recordCreated(id, '941', 1, 'sol-941', later(1));
    await store.claimForAccept(id, '941', later(2), { first: true, leaseMs: 60_000, retryPeriodMs: 86_400_000 });
    await store.recordAcceptFailed(id, '941', 1, { code: 200, message: 'Permissions error' }, later(3));
    // The Tech Provider runs the flow again: the failed item no longer defends the app.
    const second = newOnboarding(['941']);
    await store.createOnboarding(second);
    await expect(store.claimForCreate(second.onboarding.onboardingId, '941', later(4), TIMING)).resolves.toMatchObject({ kind: 'claimed' });

    await expect(store.reopenAccept(id, '941', later(5))).resolves.toBe('app-taken');
    expect(await store.getSolution(id, '941')).toMatchObject({ status: 'ACCEPT_FAILED' });
    expect(await store.appGuardHolder('941')).toMatchObject({ holderId: second.onboarding.onboardingId });
  });

  describe('lifecycle news after the accept', () => {
    /** An accepted solution of a fresh onboarding (its own app, so no guard is shared). */
    async function accepted(appId: string, solutionId = `sol-${appId}`) {
      const onboarding = newOnboarding([appId]);
      await store.createOnboarding(onboarding);
      const id = onboarding.onboarding.onboardingId;
      await store.claimForCreate(id, appId, T0, TIMING);
      await store.recordCreated(id, appId, 1, solutionId, later(1));
      await store.recordAccepted(id, appId, later(2));
      return (await store.getSolution(id, appId))!;
    }
    const at = (second: number) => new Date(Date.UTC(2026, 10, 28, 10, 0, second));

    const webhook = (furtherAlong: boolean, liveStatus?: 'ACCEPTED' | 'EXISTING'): LifecycleWrite => ({ source: 'webhook', furtherAlong, ...(liveStatus ? { liveStatus } : {}) });
    const read = (liveStatus?: 'ACCEPTED' | 'EXISTING'): LifecycleWrite => ({ source: 'read', furtherAlong: false, ...(liveStatus ? { liveStatus } : {}) });

    test('a move the status machine does not have is refused before anything is written', async () => {
      const record = await accepted('600');
      const deactivated = { ...record, status: 'DEACTIVATED' as const };
      await expect(store.recordLifecycle(deactivated, 'ACCEPTED', at(30), later(3), read())).rejects.toThrow('the status machine has no move DEACTIVATED → ACCEPTED');
      await expect(store.getSolution(record.onboardingId, '600')).resolves.toEqual(record);
    });

    test('newer news moves the record and notes its time; older or the same news changes nothing; from the second read status only', async () => {
      const record = await accepted('601');
      await expect(store.recordLifecycle(record, 'PENDING_DEACTIVATION', at(10), later(3), webhook(true, 'ACCEPTED'))).resolves.toBe(true);
      const pending = (await store.getSolution(record.onboardingId, '601'))!;
      expect(pending).toMatchObject({ status: 'PENDING_DEACTIVATION', liveStatus: 'ACCEPTED', lifecycleAt: at(10).toISOString(), updatedAt: later(3).toISOString() });

      // A duplicate (same time, same status), older news of another status, and a write from a stale read.
      await expect(store.recordLifecycle(pending, 'PENDING_DEACTIVATION', at(10), later(4), webhook(false, 'ACCEPTED'))).resolves.toBe(false);
      await expect(store.recordLifecycle(pending, 'ACCEPTED', at(9), later(4), webhook(false))).resolves.toBe(false);
      await expect(store.recordLifecycle(record, 'DEACTIVATED', at(20), later(4), webhook(true))).resolves.toBe(false);
      await expect(store.getSolution(record.onboardingId, '601')).resolves.toEqual(pending);

      // A webhook of the same second wins only when it is further along (the caller says so).
      await expect(store.recordLifecycle(pending, 'ACCEPTED', at(10), later(5), webhook(false))).resolves.toBe(false);
      await expect(store.recordLifecycle(pending, 'DEACTIVATED', at(10), later(5), webhook(true))).resolves.toBe(true);
      const deactivated = (await store.getSolution(record.onboardingId, '601'))!;
      expect(deactivated).toMatchObject({ status: 'DEACTIVATED', lifecycleAt: at(10).toISOString() });
      expect(deactivated.liveStatus).toBeUndefined();
    });

    test('a read holds for its whole second: it replaces a webhook of that second, and no webhook of that second replaces it', async () => {
      const record = await accepted('607');
      await store.recordLifecycle(record, 'PENDING_DEACTIVATION', at(10), later(3), webhook(true, 'ACCEPTED'));
      const pending = (await store.getSolution(record.onboardingId, '607'))!;
      // The request declined within the same second: the webhook alone cannot tell, a read can.
      await expect(store.recordLifecycle(pending, 'ACCEPTED', at(10), later(4), read())).resolves.toBe(true);
      const back = (await store.getSolution(record.onboardingId, '607'))!;
      expect(back).toMatchObject({ status: 'ACCEPTED', lifecycleAt: at(10).toISOString(), lifecycleRead: true });
      expect(back.liveStatus).toBeUndefined();
      // The request's webhook again, late, from that same second: the read stands.
      await expect(store.recordLifecycle(back, 'PENDING_DEACTIVATION', at(10), later(5), webhook(true, 'ACCEPTED'))).resolves.toBe(false);
      // A newer webhook still goes through, and its news is a webhook's again.
      await expect(store.recordLifecycle(back, 'DEACTIVATED', at(11), later(6), webhook(true))).resolves.toBe(true);
      expect((await store.getSolution(record.onboardingId, '607'))!.lifecycleRead).toBeUndefined();
    });

    test('ACTIVE news keeps an ACCEPT_FAILED record’s error (someone accepted it by hand: worth seeing why it failed)', async () => {
      const onboarding = newOnboarding(['608']);
      await store.createOnboarding(onboarding);
      const id = onboarding.onboarding.onboardingId;
      await store.claimForCreate(id, '608', T0, TIMING);
      await store.recordCreated(id, '608', 1, 'sol-608', later(1));
      await store.claimForAccept(id, '608', later(2), { first: true, leaseMs: 60_000, retryPeriodMs: 3_600_000 });
      const mismatch = { code: -1, message: 'not the one we asked for', reason: 'SOLUTION_MISMATCH' as const };
      await store.recordAcceptFailed(id, '608', 1, mismatch, later(3));
      const failed = (await store.getSolution(id, '608'))!;
      await expect(store.recordLifecycle(failed, 'ACCEPTED', at(30), later(4), webhook(true))).resolves.toBe(true);
      await expect(store.getSolution(id, '608')).resolves.toMatchObject({ status: 'ACCEPTED', lastError: mismatch });
    });

    test('a CREATED solution that news finds accepted leaves no attempt or error behind', async () => {
      const onboarding = newOnboarding(['602']);
      await store.createOnboarding(onboarding);
      const id = onboarding.onboarding.onboardingId;
      await store.claimForCreate(id, '602', T0, TIMING);
      await store.recordCreated(id, '602', 1, 'sol-602', later(1));
      await store.claimForAccept(id, '602', later(2), { first: true, leaseMs: 60_000, retryPeriodMs: 3_600_000 });
      await store.recordAcceptRetry(id, '602', 1, { code: 2, message: 'down' }, later(3), later(20_000));
      const created = (await store.getSolution(id, '602'))!;
      await expect(store.recordLifecycle(created, 'ACCEPTED', at(30), later(4), webhook(true))).resolves.toBe(true);
      const after = (await store.getSolution(id, '602'))!;
      expect(after).toMatchObject({ status: 'ACCEPTED', lifecycleAt: at(30).toISOString() });
      expect(after.nextAttemptAt).toBeUndefined();
      expect(after.lastError).toBeUndefined();
      // The accept attempt that held it can no longer write.
      await expect(store.recordAcceptRetry(id, '602', 1, { code: 2, message: 'down' }, later(5), later(40_000))).resolves.toBe(false);
    });

    test('a solution’s records are found by its ID: the holder and an onboarding that found it EXISTING', async () => {
      const holder = await accepted('603', 'sol-shared-603');
      const second = newOnboarding(['603']);
      await store.createOnboarding(second);
      await store.recordExistingElsewhere(second.onboarding.onboardingId, '603', holder as LiveHolder, later(3));
      const found = await store.findBySolutionId('sol-shared-603');
      expect(found.map((r) => [r.onboardingId, r.status]).sort()).toEqual(
        [
          [holder.onboardingId, 'ACCEPTED'],
          [second.onboarding.onboardingId, 'EXISTING'],
        ].sort(),
      );
      await expect(store.findBySolutionId('sol-nobody')).resolves.toEqual([]);
    });

    test('a deferred poll moves only updatedAt, and only from the state it was read in', async () => {
      const record = await accepted('604');
      await expect(store.deferLifecyclePoll(record, later(10))).resolves.toBe(true);
      await expect(store.getSolution(record.onboardingId, '604')).resolves.toEqual({ ...record, updatedAt: later(10).toISOString() });
      await expect(store.deferLifecyclePoll(record, later(11))).resolves.toBe(false);
    });

    test('a DEACTIVATED holder frees its app: a later onboarding creates anew', async () => {
      const record = await accepted('605');
      await store.recordLifecycle(record, 'DEACTIVATED', at(40), later(3), webhook(true));
      const next = newOnboarding(['605']);
      await store.createOnboarding(next);
      await expect(store.claimForCreate(next.onboarding.onboardingId, '605', later(4), TIMING)).resolves.toMatchObject({ kind: 'claimed' });
    });

    test('a solution whose deactivation is pending still counts as live for its app: a later onboarding is recorded as pending deactivation too, never as ready', async () => {
      const record = await accepted('606');
      await store.recordLifecycle(record, 'PENDING_DEACTIVATION', at(50), later(3), webhook(true, 'ACCEPTED'));
      const next = newOnboarding(['606']);
      await store.createOnboarding(next);
      const claim = await store.claimForCreate(next.onboarding.onboardingId, '606', later(4), TIMING);
      expect(claim).toMatchObject({ kind: 'existing', holder: { status: 'PENDING_DEACTIVATION', solutionId: 'sol-606', lifecycleAt: at(50).toISOString() } });
      await expect(store.recordExistingElsewhere(next.onboarding.onboardingId, '606', (claim as { holder: LiveHolder }).holder, later(5))).resolves.toBe(true);
      await expect(store.getSolution(next.onboarding.onboardingId, '606')).resolves.toMatchObject({
        status: 'PENDING_DEACTIVATION',
        liveStatus: 'EXISTING',
        solutionId: 'sol-606',
        lifecycleAt: at(50).toISOString(),
      });
    });
  });
}

let n = 0;
const T0 = new Date('2026-11-27T08:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);
/** A 30 s lease; a message whose attempt dies comes back after 180 s. */
const TIMING = { leaseMs: 30_000, redeliveryMs: 180_000, busyRetryMs: 10_000 };

function newOnboarding(appIds = ['111', '222']): Onboarding {
  const onboardingId = `ob-${++n}`;
  const at = T0.toISOString();
  return {
    onboarding: { onboardingId, apps: appIds.map((appId) => ({ appId, name: `app ${appId}` })), tokenFingerprint: `fp-${n}`, createdAt: at, updatedAt: at },
    solutions: appIds.map(
      (appId): SolutionRecord => ({ onboardingId, appId, appName: `app ${appId}`, solutionName: `Acme × app ${appId} · s${n}`, status: 'PENDING', attempts: 0, createdAt: at, updatedAt: at }),
    ),
  };
}

function newOnboardingSolutions(onboardingId: string, appIds = ['111']): SolutionRecord[] {
  const at = T0.toISOString();
  return appIds.map((appId) => ({ onboardingId, appId, appName: `app ${appId}`, solutionName: `n ${appId}`, status: 'PENDING', attempts: 0, createdAt: at, updatedAt: at }));
}
