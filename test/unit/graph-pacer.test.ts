import { GraphError } from '../../lambdas/graph/graph-error';
import { GraphPacer, type PacedCall } from '../../lambdas/graph/graph-pacer';
import { SCHEDULE } from '../../lambdas/schedule';

const GRAPH_PACING = SCHEDULE.graphPacing;
import { readUsage, type UsageReading } from '../../lambdas/graph/graph-usage';
import { rejectionOf } from '../support/rejection';

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
  test('below the slow-down mark, calls go out as they come', async () => {
    const { sendable, answer, waits } = setup();
    for (let i = 0; i < 50; i++) {
      await expect(sendable()).resolves.toBe(true);
      answer(usage(GRAPH_PACING.slowDownAtPercent - 1));
    }
    expect(waits).toEqual([]);
  });

  test('near the limit, the instance spaces its calls so that its rate scales toward the target; usage falling lets them go again', async () => {
    const { sendable, answer, waits } = setup();
    for (let i = 0; i < 10; i++) await sendable();
    // 10 calls in the last 2 s at 170 % of the allowance: half the rate, one call per 400 ms.
    answer(usage(2 * GRAPH_PACING.targetPercent));
    for (let i = 0; i < 3; i++) await expect(sendable()).resolves.toBe(true);
    expect(waits).toEqual([400, 400]);
    answer(usage(10));
    for (let i = 0; i < 5; i++) await sendable();
    // The turn already given out is kept; none after it.
    expect(waits).toEqual([400, 400, 400]);
  });

  test('spacing slows a call down by maxWaitMs at most, and never refuses it: a quiet instance is not starved', async () => {
    const { sendable, answer, waits } = setup();
    await sendable();
    // One call in 2 s at 100 %: one call per 2.35 s would be its share.
    answer(usage(100));
    await expect(sendable()).resolves.toBe(true);
    await expect(sendable()).resolves.toBe(true);
    expect(waits).toEqual([GRAPH_PACING.maxWaitMs]);
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
    await expect(sendable('EAAtoken-b')).resolves.toMatchObject({ errorClass: 'throttled', httpStatus: 0, retryAfterSeconds: 4, details: { code: 4, message: expect.stringContaining('throttled this app (code 4)') } });
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
