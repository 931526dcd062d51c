import { CreateRetryScheduled } from '../../lambdas/domain/create-solution';
import { ACCEPT_RETRY, CREATE_RETRY, retryDelaySeconds } from '../../lambdas/domain/retry-policy';
import { GraphError } from '../../lambdas/graph/graph-error';
import { busyDeferralSeconds, MalformedMessageError, redeliveryDelaySeconds } from '../../lambdas/queue/retry-backoff';

const transient = new GraphError('transient', { code: 2, message: 'x' }, 503);
const low = () => 0;
const high = () => 0.999;

describe('retry backoff', () => {
  test('grows exponentially with the attempt, with jitter between half and all of the step', () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(CREATE_RETRY, n, {}, low))).toEqual([1, 2, 4, 8]);
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(CREATE_RETRY, n, {}, high))).toEqual([2, 4, 8, 16]);
    expect([1, 2, 3].map((n) => retryDelaySeconds(ACCEPT_RETRY, n, {}, high))).toEqual([10, 20, 40]);
  });

  test('is capped', () => {
    expect(retryDelaySeconds(CREATE_RETRY, 30, {}, high)).toBe(CREATE_RETRY.maxSeconds);
    expect(retryDelaySeconds(ACCEPT_RETRY, 30, {}, high)).toBe(ACCEPT_RETRY.maxSeconds);
  });

  test('a throttle waits Graph’s own estimate, shorter or longer, up to the policy’s ceiling; without one, the throttling minimum', () => {
    expect(retryDelaySeconds(CREATE_RETRY, 1, { throttled: true }, low)).toBe(CREATE_RETRY.throttledMinSeconds);
    expect(retryDelaySeconds(CREATE_RETRY, 1, { throttled: true, retryAfterSeconds: 120 }, low)).toBe(120);
    expect(retryDelaySeconds(CREATE_RETRY, 1, { throttled: true, retryAfterSeconds: 5 }, low)).toBe(5);
    expect(retryDelaySeconds(ACCEPT_RETRY, 1, { throttled: true, retryAfterSeconds: 5 }, high)).toBe(10);
    expect(retryDelaySeconds(CREATE_RETRY, 1, { retryAfterSeconds: 10_000 }, low)).toBe(CREATE_RETRY.maxAskedSeconds);
    expect(retryDelaySeconds(ACCEPT_RETRY, 1, { throttled: true, retryAfterSeconds: 1_800 }, low)).toBe(1_800);
    expect(retryDelaySeconds(ACCEPT_RETRY, 1, { retryAfterSeconds: 10_000 }, low)).toBe(ACCEPT_RETRY.maxAskedSeconds);
  });
});

describe('redelivery of a failed create message', () => {
  test('comes back when the attempt scheduled it on the record', () => {
    expect(redeliveryDelaySeconds(new CreateRetryScheduled(transient, 37, false, false), 1, high)).toBe(37);
  });

  test('a failure before any attempt (the store, say) backs off by receive count; a throttle waits Graph’s estimate', () => {
    expect(redeliveryDelaySeconds(new Error('DynamoDB unavailable'), 3, low)).toBe(4);
    expect(redeliveryDelaySeconds(new GraphError('throttled', { code: 80007, message: 'x' }, 400, 120), 1, low)).toBe(120);
  });

  test('a malformed message comes back at once, to reach the DLQ without waiting', () => {
    expect(redeliveryDelaySeconds(new MalformedMessageError('bad'), 3, high)).toBe(0);
  });

  test('a busy message is put back for at least the holder’s estimate, longer with each deferral, at most 15 minutes', () => {
    expect(busyDeferralSeconds(30, 0, low)).toBe(30);
    expect(busyDeferralSeconds(30, 8, low)).toBe(256);
    expect(busyDeferralSeconds(30, 8, high)).toBe(320);
    expect(busyDeferralSeconds(30, 11, low)).toBe(900);
  });
});
