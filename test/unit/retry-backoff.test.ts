import { jest } from '@jest/globals';
import type { SQSRecord } from 'aws-lambda';
import { retryDelaySeconds } from '../../lambdas/domain/retry-policy';
import { GraphError } from '../../lambdas/graph/graph-error';
import { CreateDeliveries } from '../../lambdas/queue/create-deliveries';
import { busyDeferralSeconds, MalformedMessageError } from '../../lambdas/queue/retry-backoff';
import { SCHEDULE } from '../../lambdas/schedule';

const CREATE_BACKOFF = SCHEDULE.createBackoff;
const ACCEPT_BACKOFF = SCHEDULE.acceptBackoff;
const BUSY = SCHEDULE.busyDeferrals;

const low = () => 0;
const high = () => 0.999;

describe('retry backoff', () => {
  test('grows exponentially with the attempt, with jitter between half and all of the step', () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(CREATE_BACKOFF, n, {}, low))).toEqual([1, 2, 4, 8]);
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(CREATE_BACKOFF, n, {}, high))).toEqual([2, 4, 8, 16]);
    expect([1, 2, 3].map((n) => retryDelaySeconds(ACCEPT_BACKOFF, n, {}, high))).toEqual([10, 20, 40]);
  });

  test('is capped', () => {
    expect(retryDelaySeconds(CREATE_BACKOFF, 30, {}, high)).toBe(CREATE_BACKOFF.maxSeconds);
    expect(retryDelaySeconds(ACCEPT_BACKOFF, 30, {}, high)).toBe(ACCEPT_BACKOFF.maxSeconds);
  });

  test('a throttle waits Graph’s own estimate, shorter or longer, up to the policy’s ceiling; without one, the throttling minimum', () => {
    expect(retryDelaySeconds(CREATE_BACKOFF, 1, { throttled: true }, low)).toBe(CREATE_BACKOFF.throttledMinSeconds);
    expect(retryDelaySeconds(CREATE_BACKOFF, 1, { throttled: true, retryAfterSeconds: 120 }, low)).toBe(120);
    expect(retryDelaySeconds(CREATE_BACKOFF, 1, { throttled: true, retryAfterSeconds: 5 }, low)).toBe(5);
    expect(retryDelaySeconds(ACCEPT_BACKOFF, 1, { throttled: true, retryAfterSeconds: 5 }, high)).toBe(10);
    expect(retryDelaySeconds(CREATE_BACKOFF, 1, { retryAfterSeconds: 10_000 }, low)).toBe(CREATE_BACKOFF.maxAskedSeconds);
    expect(retryDelaySeconds(ACCEPT_BACKOFF, 1, { throttled: true, retryAfterSeconds: 1_800 }, low)).toBe(1_800);
    expect(retryDelaySeconds(ACCEPT_BACKOFF, 1, { retryAfterSeconds: 10_000 }, low)).toBe(ACCEPT_BACKOFF.maxAskedSeconds);
  });
});

describe('redelivery of a failed create message', () => {
  const MESSAGE = { onboardingId: 'ob-1', appId: '111', accessToken: 'tp-token' };
  const record = (receiveCount: number) => ({ receiptHandle: 'rh-1', attributes: { ApproximateReceiveCount: String(receiveCount) } }) as unknown as SQSRecord;
  /** The delay each failed message comes back after, as the queue is asked to set it once the batch is done. */
  async function redeliveryDelay(fail: (deliveries: CreateDeliveries) => Promise<void> | void, random: () => number) {
    const deferRedelivery = jest.fn(async (_: { receiptHandle: string; delaySeconds: number }[]) => [] as string[]);
    const store = { recordWaiting: jest.fn(async () => undefined), recordNoMoreDeliveries: jest.fn(async () => true), recordVerifyWaiting: jest.fn(async () => undefined) };
    const deliveries = new CreateDeliveries({
      queue: { send: jest.fn(async () => undefined), deferRedelivery },
      store,
      maxReceiveCount: 12,
      redelivery: { backoff: CREATE_BACKOFF, busyDeferrals: BUSY },
      clock: () => new Date(),
      warn: () => undefined,
      random,
    });
    await fail(deliveries);
    await deliveries.applyRetryDelays();
    return {
      delaySeconds: deferRedelivery.mock.calls[0]![0][0]!.delaySeconds,
      noted: store.recordWaiting.mock.calls.length,
      ...(store.recordVerifyWaiting.mock.calls.length > 0 ? { verifyNoted: store.recordVerifyWaiting.mock.calls as unknown[][] } : {}),
      ...(store.recordNoMoreDeliveries.mock.calls.length > 0 ? { lastNoted: store.recordNoMoreDeliveries.mock.calls.length } : {}),
    };
  }

  test('a verify message Graph throttled backs off by receive count, never before Graph’s estimate, and its onboarding is told when it comes back and why', async () => {
    const VERIFY = { kind: 'verify' as const, onboardingId: 'ob-1', accessToken: 'tp-token' };
    const throttled = new GraphError('throttled', { code: 4, message: 'Application request limit reached' }, 400, 120);
    const { delaySeconds, noted, verifyNoted } = await redeliveryDelay((d) => d.failed(record(1), VERIFY, throttled), low);
    expect([delaySeconds, noted]).toEqual([120, 0]);
    expect(verifyNoted).toHaveLength(1);
    const [onboardingId, at, error] = verifyNoted![0]!;
    expect([onboardingId, error]).toEqual(['ob-1', throttled.details]);
    expect((at as Date).getTime()).toBeGreaterThan(Date.now() + 110_000);
    // Its last delivery: the check itself ended the onboarding; nothing is noted, no solution record is looked for.
    const last = await redeliveryDelay((d) => d.failed(record(12), VERIFY, throttled), low);
    expect(last).toEqual({ delaySeconds: expect.any(Number), noted: 0 });
  });

  test('comes back when the attempt scheduled it on the record, which the attempt told itself', async () => {
    await expect(redeliveryDelay((d) => d.retryScheduled(record(1), 37), high)).resolves.toEqual({ delaySeconds: 37, noted: 0 });
  });

  test('a failure before any attempt (the store, say) backs off by receive count; a throttle waits Graph’s estimate', async () => {
    await expect(redeliveryDelay((d) => d.failed(record(3), MESSAGE, new Error('DynamoDB unavailable')), low)).resolves.toEqual({ delaySeconds: 4, noted: 1 });
    await expect(redeliveryDelay((d) => d.failed(record(1), MESSAGE, new GraphError('throttled', { code: 80007, message: 'x' }, 400, 120)), low)).resolves.toEqual({ delaySeconds: 120, noted: 1 });
  });

  test('a solution busy past its deferrals backs off by receive count, never before the holder’s estimate', async () => {
    await expect(redeliveryDelay((d) => d.busyTooLong(record(1), MESSAGE, 30), low)).resolves.toEqual({ delaySeconds: 30, noted: 1 });
  });

  test('a malformed message comes back at once, to reach the DLQ without waiting', async () => {
    await expect(redeliveryDelay((d) => d.failed(record(3), undefined, new MalformedMessageError('bad')), high)).resolves.toEqual({ delaySeconds: 0, noted: 0 });
  });

  test('a busy message is put back for at least the holder’s estimate, longer with each deferral, at most 15 minutes', () => {
    expect(busyDeferralSeconds(BUSY, 30, 0, low)).toBe(30);
    expect(busyDeferralSeconds(BUSY, 30, 8, low)).toBe(256);
    expect(busyDeferralSeconds(BUSY, 30, 8, high)).toBe(320);
    expect(busyDeferralSeconds(BUSY, 30, 11, low)).toBe(900);
  });
});
