import { PipelineDriver } from '../support/pipeline-driver';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process';

/**
 * Nothing strands (docs/design.md §5): accepts retried past the stream's retries, create messages used up,
 * and intake's deadline. The runtime runs its reconciler every second (the stack's schedule is a
 * minute) and parks a create message after two receives (`-c createMaxReceiveCount=2`), so that
 * what takes minutes in AWS takes seconds here. Assertions are on records, queues and the simulator.
 */
let runtime: RuntimeProcess;
let pipeline: PipelineDriver;

beforeAll(async () => {
  runtime = await startRuntimeProcess({ env: { RECONCILE_INTERVAL_SECONDS: '1' }, args: ['-c', 'createMaxReceiveCount=2'] });
  pipeline = new PipelineDriver(runtime);
}, 90_000);

afterEach(() => pipeline.clearControls());

afterAll(async () => {
  pipeline?.destroy();
  await runtime?.stop();
});

const transientError = { type: 'error' as const, status: 503, code: 2, isTransient: true, message: 'Service temporarily unavailable' };
const callsTo = async (method: string, path: string) => (await pipeline.requests()).filter((r) => r.method === method && r.path === path);
const statusOf = (onboardingId: string) => fetch(`${runtime.endpoints.http}/api/onboardings/${onboardingId}`).then((r) => r.json() as Promise<Record<string, any>>);

describe('accepts outlast Graph’s trouble', () => {
  test('accepts failing longer than the stream’s retries, or throttled, are retried from the record until ACCEPTED, with no person involved', async () => {
    const [failing] = await pipeline.techProvider('501', 1);
    const throttled = await pipeline.techProvider('502', 3);
    const outage = await pipeline.addFault({ operation: 'accept_solution', effect: transientError });
    const failingId = await pipeline.start(await pipeline.login([failing!], '501'));

    // While Graph fails, the record and the status API say so: attempts, the error, the next attempt.
    const retrying = await pipeline.waitUntil('a second failed accept', async () => {
      const [item] = await pipeline.solutionItems(failingId);
      return item?.acceptAttempts >= 2 ? item : undefined;
    }, 60_000);
    expect(retrying).toMatchObject({ status: 'CREATED', lastError: { code: 2 }, nextAttemptAt: expect.any(String) });
    // (An attempt may be under way meanwhile: then its claim's lease is the next attempt time.)
    const [entry] = (await statusOf(failingId)).solutions;
    expect(entry).toMatchObject({ status: 'CREATED', error: { code: 2, message: 'Service temporarily unavailable' }, nextAttemptAt: expect.any(String) });
    expect(entry.attempts).toBeGreaterThanOrEqual(2);
    expect(Date.parse(entry.nextAttemptAt)).toBeGreaterThan(Date.now() - 1_000);

    // Outlast the stream's own retries (5), then Graph recovers; meanwhile another TP's accepts are throttled.
    await pipeline.waitUntil('30 s of failing accepts', async () => ((await callsTo('POST', `/${retrying.solutionId}/accept`)).length >= 3 ? true : undefined), 60_000);
    await pipeline.simulator('DELETE', `/__sim/faults/${outage.id}`);
    await pipeline.addFault({ operation: 'accept_solution', times: 3, effect: { type: 'error', status: 400, code: 80007, message: '(#80007) Rate limit hit for WhatsApp Business Account' } });
    const throttledId = await pipeline.start(await pipeline.login(throttled, '502'));

    const [accepted] = await pipeline.settled(failingId, ['ACCEPTED'], 90_000);
    expect(accepted).not.toHaveProperty('lastError');
    expect(accepted).not.toHaveProperty('nextAttemptAt');
    expect((await callsTo('POST', `/${accepted!.solutionId}/accept`)).map((r) => r.status).at(-1)).toBe(200);
    const throttledItems = await pipeline.settled(throttledId, ['ACCEPTED'], 120_000);
    const throttledAccepts = await Promise.all(throttledItems.map((i) => callsTo('POST', `/${i.solutionId}/accept`)));
    // The three throttles go to whichever accepts come first once armed: the recovering solution's
    // retry (woken when due) may take one of them. Each was retried, and every solution accepted once.
    const allAccepts = [...throttledAccepts, await callsTo('POST', `/${accepted!.solutionId}/accept`)];
    expect(allAccepts.flat().filter((r) => r.status === 400)).toHaveLength(3);
    for (const calls of allAccepts) expect(calls.filter((r) => r.status === 200)).toHaveLength(1);
    expect(await pipeline.queueDepth(runtime.endpoints.queues.acceptSolutionFailures)).toBe(0);
  }, 240_000);
});

describe('the reconciler settles what no message will move on', () => {
  test('create messages used up and dead-lettered: one never reached Graph and ends CREATE_ABANDONED; one Graph made is adopted and accepted', async () => {
    const [neverMade, madeUnseen] = await pipeline.techProvider('503', 2);
    // `neverMade`: its first create is refused with a throttle (Graph made nothing), and every
    // listing of it fails, so no later attempt gets as far as creating.
    await pipeline.addFault({ operation: 'create_solution', objectId: neverMade, times: 1, effect: { type: 'error', status: 400, code: 4, message: '(#4) Application request limit reached' } });
    await pipeline.addFault({ operation: 'list_solutions', objectId: neverMade, effect: transientError });
    // `madeUnseen`: its first create succeeds but the answer is lost, and every later listing (with
    // the Tech Provider's token, after the minute's settling) fails.
    await pipeline.addFault({ operation: 'list_solutions', objectId: madeUnseen, effect: transientError });
    await pipeline.addFault({ operation: 'create_solution', objectId: madeUnseen, times: 1, phase: 'after', effect: { type: 'error', status: 500, code: 1, isTransient: true } });
    const onboardingId = await pipeline.start(await pipeline.login([neverMade!, madeUnseen!], '503'));

    const items = await pipeline.settled(onboardingId, ['ACCEPTED', 'CREATE_FAILED'], 150_000);

    const byApp = Object.fromEntries(items.map((i) => [i.appId, i]));
    expect(byApp[neverMade!]).toMatchObject({ status: 'CREATE_FAILED', attempts: 2, lastError: { code: 2, reason: 'CREATE_ABANDONED' } });
    expect((await callsTo('POST', `/${neverMade}/whatsapp_business_solution`)).map((c) => c.status)).toEqual([400]);
    const [onGraph] = (await pipeline.solutions()).filter((s) => s.ownerApp.id === madeUnseen);
    expect(byApp[madeUnseen!]).toMatchObject({ status: 'ACCEPTED', solutionId: onGraph!.id });
    expect(await callsTo('POST', `/${madeUnseen}/whatsapp_business_solution`)).toHaveLength(1);
    // Both messages were parked after their two receives (SQS moves one on its next receive); the reconciler settled their records.
    await pipeline.waitUntil('both messages in the DLQ', async () => ((await pipeline.queueDepth(runtime.endpoints.queues.createSolutionDlq)) === 2 ? true : undefined), 30_000);
    // The page learns what to say from the reason.
    const view = await statusOf(onboardingId);
    expect(view).toMatchObject({ status: 'PARTIAL' });
    expect(view.solutions.find((s: { appId: string }) => s.appId === neverMade)).toMatchObject({ status: 'CREATE_FAILED', error: { reason: 'CREATE_ABANDONED' } });
  }, 180_000);
});

describe('intake never loses a click to a slow Graph', () => {
  test('a listing too slow for intake’s deadline: 202 VERIFYING within the deadline, nothing created yet; the verify message lists the apps and every solution ends ACCEPTED', async () => {
    const apps = await pipeline.techProvider('504', 10);
    // Ten apps are five pages; each takes 2.5 s (under the 3 s Graph timeout), 12.5 s in all.
    const slow = await pipeline.addFault({ operation: 'list_apps', effect: { type: 'delay', ms: 2_500 } });
    const token = await pipeline.login(apps, '504');

    const started = Date.now();
    const taken = await pipeline.postOnboarding(JSON.stringify({ accessToken: token }));
    const tookMs = Date.now() - started;

    expect(taken).toMatchObject({ status: 202, body: { status: 'VERIFYING', apps: [] } });
    expect(tookMs).toBeLessThan(15_000);
    const { onboardingId } = taken.body;
    // The same token again while it is checked: the same onboarding, nothing twice.
    const again = await pipeline.postOnboarding(JSON.stringify({ accessToken: token }));
    expect([again.status, again.body.onboardingId]).toEqual([200, onboardingId]);

    await pipeline.simulator('DELETE', `/__sim/faults/${slow.id}`);
    const items = await pipeline.settled(onboardingId, ['ACCEPTED'], 90_000);
    expect(items.map((i) => i.appId).sort()).toEqual([...apps].sort());
    for (const appId of apps) expect(await callsTo('POST', `/${appId}/whatsapp_business_solution`)).toHaveLength(1);
  }, 150_000);
});
