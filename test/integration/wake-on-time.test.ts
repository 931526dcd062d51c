import type { SimRequest } from '../../local/graph-simulator/state';
import { pipelineSuite } from '../support/pipeline-suite';

/**
 * Retries wake on time (issue 29): an accept or a credit share that Graph throttles with a hold of a
 * few seconds is retried when the hold ends, by its wake-up, in the local runtime on the real
 * emulators. The reconciler runs once an hour here, so it cannot be what retries them: without the
 * wake-ups neither would be retried within the test. Assertions are on the records and the
 * simulator's request log.
 */
const suite = pipelineSuite({ env: { RECONCILE_INTERVAL_SECONDS: '3600' } });

/** Graph's hold, as the throttled answer states it: a few seconds (Retry-After), so that the test waits no whole minute. */
const HOLD_SECONDS = 5;
/** How soon after its due time the retry must reach Graph: "within a few seconds". */
const WITHIN_MS = 5_000;

const throttledFor = (seconds: number) => ({ type: 'error' as const, status: 400, code: 4, message: '(#4) Application request limit reached', headers: { 'retry-after': String(seconds) } });
/** The due time a retry entry of the record's timeline names (`… retry at <ISO time>`). */
const retryAt = (history: { note?: string }[]) => history.map((e) => /retry at (\S+)$/.exec(e.note ?? '')?.[1]).filter((at): at is string => at !== undefined);
const sinceDue = (request: SimRequest, due: string) => Date.parse(request.at) - Date.parse(due);

test('a throttled accept is accepted within seconds of the hold’s end, by its wake-up', async () => {
  const { pipeline, runtime } = suite;
  const [app] = await pipeline.techProvider('2901', 1);
  await pipeline.addFault({ operation: 'accept_solution', times: 1, effect: throttledFor(HOLD_SECONDS) });

  const [item] = await pipeline.settled(await pipeline.start(await pipeline.login([app!], '2901')), ['ACCEPTED'], 40_000);

  const accepts = (await pipeline.requests()).filter((r) => r.method === 'POST' && r.path === `/${item!.solutionId}/accept`);
  expect(accepts.map((r) => r.status)).toEqual([400, 200]);
  expect(item).toMatchObject({ status: 'ACCEPTED', acceptAttempts: 2 });
  const [due] = retryAt(item!.history);
  // The retry was due no sooner than Graph's hold, and reached Graph within seconds of it.
  expect(Date.parse(due!) - Date.parse(accepts[0]!.at)).toBeGreaterThanOrEqual(HOLD_SECONDS * 1000 - 1_000);
  expect(sinceDue(accepts[1]!, due!)).toBeGreaterThanOrEqual(0);
  expect(sinceDue(accepts[1]!, due!)).toBeLessThanOrEqual(WITHIN_MS);
  // Woken once, consumed: nothing left on the wake queue.
  await pipeline.waitUntil('the accept wake queue drained', async () => ((await pipeline.queueDepth(runtime.endpoints.queues.acceptSolutionWake)) === 0 ? true : undefined), 10_000);
}, 60_000);

test('a throttled credit share is shared within seconds of the hold’s end, by its wake-up', async () => {
  const { pipeline, runtime } = suite;
  const [app] = await pipeline.techProvider('2902', 1);
  const onboardingId = await pipeline.start(await pipeline.login([app!], '2902'));
  const [{ solutionId }] = (await pipeline.settled(onboardingId, ['ACCEPTED'])) as [{ solutionId: string }];
  await pipeline.addFault({ operation: 'share_credit_line', times: 1, effect: throttledFor(HOLD_SECONDS) });
  const { waba } = await pipeline.simulator<{ waba: { id: string } }>('POST', '/__sim/clients', { solutionId, events: 'added' });

  const shared = await pipeline.waitUntil(
    `client ${waba.id} CREDIT_SHARED`,
    async () => {
      const client = await pipeline.clientItem(solutionId, waba.id);
      return client?.status === 'CREDIT_SHARED' ? client : undefined;
    },
    40_000,
  );

  const shares = (await pipeline.requests()).filter((r) => r.method === 'POST' && r.path.endsWith('/whatsapp_credit_sharing_and_attach') && r.query.waba_id === waba.id);
  expect(shares.map((r) => r.status)).toEqual([400, 200]);
  expect(shared).toMatchObject({ shareAttempts: 2 });
  const [due] = retryAt(shared.history);
  expect(Date.parse(due!) - Date.parse(shares[0]!.at)).toBeGreaterThanOrEqual(HOLD_SECONDS * 1000 - 1_000);
  expect(sinceDue(shares[1]!, due!)).toBeGreaterThanOrEqual(0);
  // Woken, handed back to NEW, carried by the stream to the worker, and shared, within seconds.
  expect(sinceDue(shares[1]!, due!)).toBeLessThanOrEqual(WITHIN_MS);
  expect(shared.history.filter((e: { note?: string }) => e.note === 'attempt due')).toHaveLength(1);
  await pipeline.waitUntil('the share wake queue drained', async () => ((await pipeline.queueDepth(runtime.endpoints.queues.shareCreditWake)) === 0 ? true : undefined), 10_000);
}, 90_000);
