import { setTimeout as sleep } from 'node:timers/promises';
import { PipelineDriver } from '../support/pipeline-driver';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process';
import { ACCEPT_EVENT_SOURCE } from '../../lib/pipeline-settings';

/**
 * The pipeline under faults, in the local runtime on the real emulators: each test arms the Graph
 * simulator, runs an onboarding and asserts on the records, the simulator's request log and the
 * queues. Every test has its own Tech Provider and apps (an app's guard outlives its onboarding).
 */
let runtime: RuntimeProcess;
let pipeline: PipelineDriver;

beforeAll(async () => {
  // The reconciler, which makes accept retries once due, every second rather than every minute.
  runtime = await startRuntimeProcess({ env: { RECONCILE_INTERVAL_SECONDS: '1' } });
  pipeline = new PipelineDriver(runtime);
}, 90_000);

afterEach(() => pipeline.clearControls());

afterAll(async () => {
  pipeline?.destroy();
  await runtime?.stop();
});

/** A listing whose solution lacks the partners edge: nothing a worker can match on. */
const listingWithoutPartners = (appId: string) => ({ type: 'answer' as const, status: 200, body: { data: [{ id: '1', name: 'x', status: 'INITIATED', owner_app: { id: appId } }] } });

const createsOf = async (appId: string) => (await pipeline.requests()).filter((r) => r.method === 'POST' && r.path === `/${appId}/whatsapp_business_solution`);
const acceptsOf = async (solutionId: string) => (await pipeline.requests()).filter((r) => r.method === 'POST' && r.path === `/${solutionId}/accept`);
/** No create message visible or in flight: each was deleted once its solution settled. */
const queueDrained = async () => ((await pipeline.queueDepth(runtime.endpoints.queues.createSolution)) === 0 ? true : undefined);

describe('pipeline scale', () => {
  test.each([1, 3, 25])('%i selected apps all end ACCEPTED, each created once and accepted once', async (count) => {
    const apps = await pipeline.techProvider(`30${count}`, count);
    const onboardingId = await pipeline.start(await pipeline.login(apps, `30${count}`));

    const items = await pipeline.settled(onboardingId, ['ACCEPTED'], 90_000);

    expect(items.map((i) => i.appId).sort()).toEqual([...apps].sort());
    for (const item of items) {
      expect(await createsOf(item.appId)).toHaveLength(1);
      expect(await acceptsOf(item.solutionId)).toHaveLength(1);
    }
    expect(await pipeline.queueDepth(runtime.endpoints.queues.createSolution)).toBe(0);
  }, 120_000);
});

describe('pipeline under Graph faults', () => {
  test('a fresh item creates at once; after a refused create, each retry looks on Graph first, and transient failures there are retried until the solution is created, once', async () => {
    const [app] = await pipeline.techProvider('401', 1);
    // A throttle is the one refusal that says Graph made nothing: the retry need not wait for a create to settle.
    await pipeline.addFault({ operation: 'create_solution', objectId: app, times: 1, effect: { type: 'error', status: 400, code: 4, message: '(#4) Application request limit reached' } });
    await pipeline.addFault({ operation: 'list_solutions', objectId: app, times: 2, effect: { type: 'error', status: 503, code: 2, isTransient: true } });

    const [item] = await pipeline.settled(await pipeline.start(await pipeline.login([app!], '401')), ['ACCEPTED']);

    const calls = (await pipeline.requests()).filter((r) => r.path === `/${app}/whatsapp_business_solutions` || r.path === `/${app}/whatsapp_business_solution`);
    expect(calls.map((c) => `${c.method} ${c.status}`)).toEqual(['POST 400', 'GET 503', 'GET 503', 'GET 200', 'POST 200']);
    expect(item).toMatchObject({ status: 'ACCEPTED', attempts: 4 });
    expect(item).not.toHaveProperty('lastError');
  }, 60_000);

  test('a create call that ends without a trustworthy answer is settled first: created once whether or not Graph made it', async () => {
    // Graph answers 503 and made nothing; Graph makes the solution, then its answer is lost (500);
    // Graph makes it but answers after the client gave up (the Graph timeout is 10 s); Graph makes
    // it and answers a body that is not JSON, after which two listings leave out the partners edge.
    // Each retry waits for the call to settle, then looks on Graph before creating, and an
    // unreadable listing is retried, not acted on.
    const [refused, lost, late, garbled] = await pipeline.techProvider('407', 4);
    await pipeline.addFault({ operation: 'create_solution', objectId: refused, times: 1, effect: { type: 'error', status: 503, code: 2, isTransient: true } });
    await pipeline.addFault({ operation: 'create_solution', objectId: lost, times: 1, phase: 'after', effect: { type: 'error', status: 500, code: 1, isTransient: true } });
    await pipeline.addFault({ operation: 'create_solution', objectId: late, times: 1, effect: { type: 'delay', ms: 12_000 } });
    await pipeline.addFault({ operation: 'create_solution', objectId: garbled, times: 1, phase: 'after', effect: { type: 'malformed', status: 200 } });
    await pipeline.addFault({ operation: 'list_solutions', objectId: garbled, times: 2, effect: listingWithoutPartners(garbled!) });

    const items = await pipeline.settled(await pipeline.start(await pipeline.login([refused!, lost!, late!, garbled!], '407')), ['ACCEPTED'], 150_000);

    for (const item of items) {
      const onGraph = (await pipeline.solutions()).filter((s) => s.ownerApp.id === item.appId);
      expect(onGraph.map((s) => s.id)).toEqual([item.solutionId]);
    }
    expect(items).toHaveLength(4);
    expect((await createsOf(refused!)).map((c) => c.status)).toEqual([503, 200]);
    expect((await createsOf(lost!)).map((c) => c.status)).toEqual([500]);
    expect((await createsOf(late!)).map((c) => c.status)).toEqual([200]);
    expect((await createsOf(garbled!)).map((c) => c.status)).toEqual([200]);
    expect((await pipeline.requests()).filter((r) => r.path === `/${garbled}/whatsapp_business_solutions`).map((c) => c.status)).toEqual([200, 200, 200]);
  }, 180_000);

  test('a permanent create failure ends CREATE_FAILED with Graph’s error kept, and is not retried', async () => {
    const [app] = await pipeline.techProvider('403', 1);
    await pipeline.addFault({ operation: 'create_solution', objectId: app, effect: { type: 'error', status: 400, code: 100, message: '(#100) Invalid parameter' } });

    const onboardingId = await pipeline.start(await pipeline.login([app!], '403'));
    const [item] = await pipeline.settled(onboardingId, ['CREATE_FAILED']);

    expect(item!.lastError).toEqual({ code: 100, message: '(#100) Invalid parameter', fbtraceId: expect.any(String) });
    expect(await createsOf(app!)).toHaveLength(1);
    const status = await fetch(`${runtime.endpoints.http}/api/onboardings/${onboardingId}`).then((r) => r.json());
    expect(status).toMatchObject({ status: 'FAILED', solutions: [{ status: 'CREATE_FAILED', error: { code: 100 } }] });
    // Done with: its message deleted, not waiting to be retried. (The failed-create metric: create-solution-handler.test.ts.)
    await pipeline.waitUntil('the create queue drained', queueDrained, 10_000);
  }, 60_000);

  test('a transient accept failure is retried from the record until accepted', async () => {
    const [app] = await pipeline.techProvider('404', 1);
    await pipeline.addFault({ operation: 'accept_solution', times: 1, effect: { type: 'error', status: 500, code: 1, isTransient: true } });

    const [item] = await pipeline.settled(await pipeline.start(await pipeline.login([app!], '404')), ['ACCEPTED'], 90_000);

    expect((await acceptsOf(item!.solutionId)).map((r) => r.status)).toEqual([500, 200]);
    expect(item).toMatchObject({ acceptAttempts: 2 });
  }, 120_000);

  test('a permanent accept failure ends ACCEPT_FAILED with Graph’s error, and the failed-accept metric is emitted', async () => {
    const [app] = await pipeline.techProvider('405', 1);
    await pipeline.addFault({ operation: 'accept_solution', effect: { type: 'error', status: 403, code: 200, message: '(#200) Permissions error' } });

    const [item] = await pipeline.settled(await pipeline.start(await pipeline.login([app!], '405')), ['ACCEPT_FAILED']);

    expect(item!.lastError).toMatchObject({ code: 200, message: '(#200) Permissions error' });
    expect(await acceptsOf(item!.solutionId)).toHaveLength(1);
    // Nothing left to retry (the failed-accept metric behind the alarm: accept-report.test.ts).
    expect(item).not.toHaveProperty('nextAttemptAt');
  }, 60_000);

  test('a stream record the accept worker cannot read ends on the on-failure queue after the stream’s retries', async () => {
    await pipeline.poisonAcceptStream('poison-406', '406000');

    const failure = await pipeline.waitUntil('an on-failure message', () => pipeline.receiveOne(runtime.endpoints.queues.acceptSolutionFailures), 60_000);

    expect(JSON.parse(failure)).toMatchObject({ requestContext: { condition: 'RetryAttemptsExhausted' }, DDBStreamBatchInfo: { batchSize: 1 } });
    expect(JSON.parse(failure).requestContext.approximateInvokeCount).toBe(ACCEPT_EVENT_SOURCE.retryAttempts + 1);
  }, 90_000);
});

describe('Graph answers of a shape it does not document', () => {
  test('while Graph keeps answering in an unknown shape, the solution waits CREATING with the problem on its record, and moves on once Graph is readable', async () => {
    const [app] = await pipeline.techProvider('410', 1);
    // The first create is throttled (Graph made nothing): every retry lists the app's solutions first.
    await pipeline.addFault({ operation: 'create_solution', objectId: app, times: 1, effect: { type: 'error', status: 400, code: 4, message: '(#4) Application request limit reached' } });
    const rule = await pipeline.addFault({ operation: 'list_solutions', objectId: app, effect: listingWithoutPartners(app!) });
    const onboardingId = await pipeline.start(await pipeline.login([app!], '410'));

    const waiting = await pipeline.waitUntil('a retried item with the problem recorded', async () => {
      const [current] = await pipeline.solutionItems(onboardingId);
      return current?.attempts >= 3 ? current : undefined;
    });
    expect(waiting).toMatchObject({ status: 'CREATING', lastError: { code: -1, message: expect.stringMatching(/unexpected shape.*partners/) } });
    expect((await createsOf(app!)).map((c) => c.status)).toEqual([400]);

    await pipeline.simulator('DELETE', `/__sim/faults/${rule.id}`);
    const [item] = await pipeline.settled(onboardingId, ['ACCEPTED'], 60_000);
    expect((await createsOf(app!)).map((c) => c.status)).toEqual([400, 200]);
    expect(item).not.toHaveProperty('lastError');
  }, 90_000);

  test('an accept that went through but answered no success is confirmed (Meta’s ACTIVE webhook, or the retry’s read): ACCEPTED, accepted once', async () => {
    const [app] = await pipeline.techProvider('411', 1);
    await pipeline.addFault({ operation: 'accept_solution', times: 1, phase: 'after', effect: { type: 'answer', status: 200, body: { success: false } } });

    const [item] = await pipeline.settled(await pipeline.start(await pipeline.login([app!], '411')), ['ACCEPTED']);

    // Whichever comes first records it: the webhook Graph sends once the solution is ACTIVE, or the
    // retry, whose read before accepting shows our accept in. Never a second accept.
    expect((await acceptsOf(item!.solutionId)).map((r) => r.status)).toEqual([200]);
    const reads = (await pipeline.requests()).filter((r) => r.method === 'GET' && r.path === `/${item!.solutionId}`);
    expect(reads.length).toBeGreaterThanOrEqual(1);
    for (const read of reads) expect([read.status, read.query.fields]).toEqual([200, expect.stringContaining('partners{')]);
    expect((await pipeline.solutions()).find((s) => s.id === item!.solutionId)).toMatchObject({ status: 'ACTIVE', partners: [{ status: 'ACCEPTED' }] });
  }, 60_000);
});

describe('one app, onboarded twice at once', () => {
  test('the second onboarding waits for the first one’s solution and reports it: one solution on Graph', async () => {
    const [app] = await pipeline.techProvider('408', 1);
    // A slow create keeps the first onboarding's solution under way while the second one's message arrives.
    await pipeline.addFault({ operation: 'create_solution', objectId: app, times: 1, effect: { type: 'delay', ms: 3_000 } });
    const tokens = [await pipeline.login([app!], '408'), await pipeline.login([app!], '408')];
    const [first, second] = (await Promise.all(tokens.map((token) => pipeline.start(token)))) as [string, string];

    const [a] = await pipeline.settled(first, ['ACCEPTED', 'EXISTING'], 90_000);
    const [b] = await pipeline.settled(second, ['ACCEPTED', 'EXISTING'], 90_000);

    expect([a!.status, b!.status].sort()).toEqual(['ACCEPTED', 'EXISTING']);
    expect(a!.solutionId).toBe(b!.solutionId);
    expect(await createsOf(app!)).toHaveLength(1);
    // The waiting message was put back and then done with, none left failing or parked (how it waits: create-solution-handler.test.ts).
    await pipeline.waitUntil('the create queue drained', queueDrained, 10_000);
    expect(await pipeline.queueDepth(runtime.endpoints.queues.createSolutionDlq)).toBe(0);
  }, 120_000);
});

describe('poison messages', () => {
  test('a malformed create message ends in the DLQ after maxReceiveCount receives, touching nothing', async () => {
    const requestsBefore = (await pipeline.requests()).length;
    await pipeline.send(runtime.endpoints.queues.createSolution, '{"not":"a create message"}');

    await pipeline.waitUntil('the message in the DLQ', async () => ((await pipeline.queueDepth(runtime.endpoints.queues.createSolutionDlq)) === 1 ? true : undefined), 30_000);

    expect(await pipeline.queueDepth(runtime.endpoints.queues.createSolution)).toBe(0);
    expect((await pipeline.requests()).length).toBe(requestsBefore);
  }, 60_000);
});

describe('intake when Graph is busy: the click is taken, the token checked when Graph allows', () => {
  const THROTTLED = { type: 'error' as const, status: 400, code: 4, message: '(#4) Application request limit reached' };
  const statusOf = async (onboardingId: string) => (await pipeline.getOnboarding(onboardingId)).body;

  test('debug_token throttled for the POST: 202 VERIFYING with no solution; once Graph lets the check through, every solution ends ACCEPTED', async () => {
    const apps = await pipeline.techProvider('601', 3);
    const throttle = await pipeline.addFault({ operation: 'debug_token', effect: THROTTLED });
    const token = await pipeline.login(apps, '601');

    const posted = await pipeline.postOnboarding(JSON.stringify({ accessToken: token, expiresIn: 3600 }));

    expect(posted.status).toBe(202);
    expect(posted.body).toMatchObject({ status: 'VERIFYING', apps: [] });
    const { onboardingId } = posted.body;
    expect(await statusOf(onboardingId)).toMatchObject({ status: 'VERIFYING', solutions: [] });
    // The same token again: the same onboarding, nothing started twice.
    const again = await pipeline.postOnboarding(JSON.stringify({ accessToken: token }));
    expect([again.status, again.body.onboardingId]).toEqual([200, onboardingId]);
    // While Graph throttles the check, it waits: no solution, no create.
    await pipeline.waitUntil('the verify message to meet the throttle', async () => ((await pipeline.requests()).filter((r) => r.path === '/debug_token').length >= 3 ? true : undefined));
    expect(await statusOf(onboardingId)).toMatchObject({ status: 'VERIFYING', solutions: [] });
    for (const appId of apps) expect(await createsOf(appId)).toEqual([]);

    await pipeline.simulator('DELETE', `/__sim/faults/${throttle.id}`);
    const items = await pipeline.settled(onboardingId, ['ACCEPTED'], 90_000);

    expect(items.map((i) => i.appId).sort()).toEqual([...apps].sort());
    for (const item of items) expect(await createsOf(item.appId)).toHaveLength(1);
    await pipeline.waitUntil('the onboarding COMPLETED', async () => ((await statusOf(onboardingId)).status === 'COMPLETED' ? true : undefined));
  }, 150_000);

  test('a token that is no longer valid by the later check: the onboarding ends FAILED with INVALID_TOKEN, read from its status', async () => {
    const apps = await pipeline.techProvider('602', 1);
    const throttle = await pipeline.addFault({ operation: 'debug_token', effect: THROTTLED });
    // A login that expires within seconds, posted without its lifetime: the check waits for Graph, not for the clock.
    const token = await pipeline.login(apps, '602', { expiresInSeconds: 3 });

    const posted = await pipeline.postOnboarding(JSON.stringify({ accessToken: token }));
    expect(posted.body).toMatchObject({ status: 'VERIFYING' });
    await sleep(4_000);
    await pipeline.simulator('DELETE', `/__sim/faults/${throttle.id}`);

    const failed = await pipeline.waitUntil('the onboarding FAILED', async () => {
      const view = await statusOf(posted.body.onboardingId);
      return view.status === 'FAILED' ? view : undefined;
    }, 60_000);
    expect(failed).toMatchObject({ status: 'FAILED', solutions: [], error: { code: 'INVALID_TOKEN', message: expect.any(String) } });
    expect(await createsOf(apps[0]!)).toEqual([]);
  }, 120_000);
});
