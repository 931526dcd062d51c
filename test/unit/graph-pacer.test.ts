import { GraphError } from '../../lambdas/graph/graph-error';
import { GraphPacer, type PacedCall } from '../../lambdas/graph/graph-pacer';
import { SCHEDULE } from '../../lambdas/schedule';

const GRAPH_PACING = SCHEDULE.graphPacing;
import { readUsage, type UsageReading } from '../../lambdas/graph/graph-usage';
import { rejectionOf } from '../support/rejection';
import { runSharedAllowance } from '../support/shared-allowance';

/**
 * A pacer on a clock the test moves: a call that waits its turn moves the clock on, and its wait is
 * noted. `answer` reports an answer to the last call that went.
 */
function setup() {
  const clock = { now: 1_000_000 };
  const waits: number[] = [];
  const pacer = new GraphPacer(GRAPH_PACING, () => clock.now, async (ms) => {
    waits.push(ms);
    clock.now += ms;
  });
  let lastTurn: PacedCall | undefined;
  /** true when the call may go (after any wait), or the GraphError it failed with unsent. */
  const sendable = async (token = 'EAAtoken-a') => {
    const refused = await pacer.beforeCall(token).then(
      (turn) => void (lastTurn = turn),
      (error: unknown) => error,
    );
    return refused === undefined ? true : (refused as GraphError);
  };
  const answer = (reading: UsageReading, throttleCode?: number) => lastTurn!.answered(reading, throttleCode);
  return { clock, sendable, answer, waits };
}

const usage = (appPercent: number) => ({ appPercent });

describe('readUsage: Graph’s usage headers', () => {
  test('the highest share of each header, and the estimate in seconds; a header it cannot read is no reading', () => {
    const headers = new Headers({
      'x-app-usage': JSON.stringify({ call_count: 12, total_cputime: 40, total_time: 7 }),
      'x-business-use-case-usage': JSON.stringify({ '102290129340398': [{ type: 'whatsapp', call_count: 90, total_cputime: 3, total_time: 5, estimated_time_to_regain_access: 2 }] }),
    });
    expect(readUsage(headers)).toEqual({ appPercent: 40, businessPercent: 90, retryAfterSeconds: 120 });
    expect(readUsage(new Headers({ 'x-app-usage': 'not json', 'retry-after': '7' }))).toEqual({ appPercent: undefined, businessPercent: undefined, retryAfterSeconds: 7 });
    expect(readUsage(new Headers({ 'x-app-usage': JSON.stringify({ call_count: 'x' }) }))).toEqual({ appPercent: undefined, businessPercent: undefined, retryAfterSeconds: undefined });
  });
});

describe('GraphPacer', () => {
  test('below the slow-down mark, calls go out as they come while usage holds', async () => {
    const { sendable, answer, waits } = setup();
    for (let i = 0; i < 50; i++) {
      await expect(sendable()).resolves.toBe(true);
      answer(usage(GRAPH_PACING.slowDownAtPercent - 1));
    }
    expect(waits).toEqual([]);
  });

  test('usage rising faster than the approach allows slows the instance down before the slow-down mark, by maxWaitMs at most and never refused; usage that holds lets it go again', async () => {
    const { clock, sendable, answer, waits } = setup();
    // Two calls 100 ms apart read 10 % then 30 %: 19 points (one step is no rise) in 100 ms, where
    // approaching 90 % over 5 s allows 1.2: the rate is cut to a quarter, the most one reading cuts it.
    // Two starts in 2 s: one call per 4 s, a turn already given out kept; each waits maxWaitMs at most.
    await sendable();
    answer(usage(10));
    clock.now += 100;
    await sendable();
    answer(usage(30));
    for (let i = 0; i < 2; i++) await expect(sendable()).resolves.toBe(true);
    expect(waits).toEqual([GRAPH_PACING.maxWaitMs]);
    // Usage read 2 s later has not moved: calls go as they come, after the turn already given out.
    clock.now += 2_000;
    answer(usage(30));
    for (let i = 0; i < 3; i++) await sendable();
    expect(waits).toEqual([GRAPH_PACING.maxWaitMs, 4_000 - 2_000]);
  });

  test('past the target, the instance scales its rate by target / usage', async () => {
    const { sendable, answer, waits } = setup();
    for (let i = 0; i < 10; i++) await sendable();
    // 10 calls in the last 2 s, usage 99 % and no rise read yet: the rate scaled by 90 / 99.
    answer(usage(99));
    for (let i = 0; i < 3; i++) await expect(sendable()).resolves.toBe(true);
    const spacingMs = 1 / ((10 / 2_000) * (GRAPH_PACING.targetPercent / 99));
    expect(waits).toEqual([spacingMs, spacingMs]);
  });

  test('an answer reading 100 % holds the app’s calls as a throttle would (Graph refuses the next one), longer while it repeats', async () => {
    const { clock, sendable, answer, waits } = setup();
    await sendable();
    answer(usage(100));
    await expect(sendable('EAAtoken-b')).resolves.toBe(true);
    expect(waits).toEqual([GRAPH_PACING.firstHoldMs]);
    answer(usage(100));
    answer(usage(100));
    await expect(sendable()).resolves.toMatchObject({ errorClass: 'throttled', httpStatus: 0, retryAfterSeconds: 4, details: { code: 4, message: expect.stringContaining("at Graph's rate limit (code 4)") } });
    clock.now += 4_000;
    await expect(sendable()).resolves.toBe(true);
  });

  test('a throttle without Graph’s estimate holds every call of the app, 1 s and then twice as long each time it repeats; past the longest wait, a call is not sent', async () => {
    const { clock, sendable, answer, waits } = setup();
    await sendable();
    expect(answer(usage(100), 4)).toBe(1);
    // Another token, same app: it waits out the hold.
    await expect(sendable('EAAtoken-b')).resolves.toBe(true);
    expect(waits).toEqual([1_000]);
    expect(answer(usage(100), 4)).toBe(2);
    expect(answer(usage(100), 4)).toBe(4);
    await expect(sendable('EAAtoken-b')).resolves.toMatchObject({ errorClass: 'throttled', httpStatus: 0, retryAfterSeconds: 4, details: { code: 4, message: expect.stringContaining("at Graph's rate limit (code 4)") } });
    // An answer that is not a throttle starts the doubling over.
    clock.now += 60_000;
    await sendable();
    answer(usage(50));
    expect(answer(usage(100), 4)).toBe(1);
  });

  test('a business throttle holds for Graph’s estimate, and only the calls made with that token', async () => {
    const { clock, sendable, answer } = setup();
    await sendable('EAAtoken-a');
    expect(answer({ retryAfterSeconds: 300 }, 80007)).toBe(300);
    await expect(sendable('EAAtoken-a')).resolves.toMatchObject({ retryAfterSeconds: 300, details: { code: 80007 } });
    await expect(sendable('EAAtoken-b')).resolves.toBe(true);
    clock.now += 300_000;
    await expect(sendable('EAAtoken-a')).resolves.toBe(true);
  });

  test('a call waiting for its turn ends at the caller’s deadline, unsent', async () => {
    const pacer = new GraphPacer({ ...GRAPH_PACING, maxWaitMs: 60_000 });
    const turn = await pacer.beforeCall('EAAtoken-a');
    turn.answered(usage(100), 4);
    const error = await rejectionOf(pacer.beforeCall('EAAtoken-a', AbortSignal.timeout(20)), GraphError);
    expect(error).toMatchObject({ errorClass: 'transient', httpStatus: 0, message: expect.stringContaining("caller's deadline") });
  });
});

describe('GraphPacer: several instances, each with its own pacer, on one Graph allowance per rolling hour', () => {
  test.each([
    // allowance per hour, the hour (ms, sped up as in the bench), instances × callers each, calls
    [300, 6_000, 5, 2, 1_200],
    [1_000, 10_000, 10, 3, 4_000],
  ])('%d calls an hour of %d ms, %d instances × %d callers, %d calls: no throttle, and the allowance nearly all used', async (allowance, hourMs, instances, concurrency, calls) => {
    const run = await runSharedAllowance({ settings: GRAPH_PACING, allowance, hourMs, instances, concurrency, calls, latencyMs: 80, jitterMs: 20 });
    expect(run.throttled).toBe(0);
    // Some hour held nearly the whole allowance, and the calls took at most a third longer than the allowance's pace.
    expect(run.peakInHour).toBeGreaterThanOrEqual(0.85 * allowance);
    expect(run.elapsedMs).toBeLessThanOrEqual((4 / 3) * calls * (hourMs / allowance));
  });

  test('with Graph’s real hour and an allowance a burst stays far from, the calls go as they come', async () => {
    const [calls, slots, latencyMs] = [2_000, 10, 80];
    const run = await runSharedAllowance({ settings: GRAPH_PACING, allowance: 200 * 1_000, hourMs: 3_600_000, instances: 5, concurrency: 2, calls, latencyMs, jitterMs: 20 });
    expect(run.throttled).toBe(0);
    expect(run.elapsedMs).toBeLessThanOrEqual(1.05 * (calls / slots) * (latencyMs + 20));
  });
});
