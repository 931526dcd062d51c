import { GraphError } from '../../lambdas/graph/graph-error';
import { busyDeferralSeconds, MalformedMessageError, RETRY_BACKOFF, retryDelaySeconds } from '../../lambdas/queue/retry-backoff';

const transient = new GraphError('transient', { code: 2, message: 'x' }, 503);
const low = () => 0;
const high = () => 0.999;

describe('retry backoff for create messages', () => {
  test('grows exponentially with the receive count, with jitter between half and all of the step', () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(transient, n, low))).toEqual([1, 2, 4, 8]);
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(transient, n, high))).toEqual([2, 4, 8, 16]);
  });

  test('is capped', () => {
    expect(retryDelaySeconds(transient, 30, high)).toBe(RETRY_BACKOFF.maxSeconds);
  });

  test('a throttled error waits at least the throttling minimum, or Graph’s own estimate', () => {
    const throttled = new GraphError('throttled', { code: 4, message: 'x' }, 400);
    expect(retryDelaySeconds(throttled, 1, low)).toBe(RETRY_BACKOFF.throttledMinSeconds);
    const withEstimate = new GraphError('throttled', { code: 80007, message: 'x' }, 400, 120);
    expect(retryDelaySeconds(withEstimate, 1, low)).toBe(120);
  });

  test('never comes back before the error’s own retry-after (a create that may still be settling)', () => {
    expect(retryDelaySeconds({ retryAfterSeconds: 60 }, 1, low)).toBe(60);
    expect(retryDelaySeconds({ retryAfterSeconds: 10_000 }, 1, low)).toBe(RETRY_BACKOFF.maxSeconds);
  });

  test('a busy message is put back for at least the holder’s estimate, longer with each deferral, at most 15 minutes', () => {
    expect(busyDeferralSeconds(30, 0, low)).toBe(30);
    expect(busyDeferralSeconds(30, 8, low)).toBe(256);
    expect(busyDeferralSeconds(30, 8, high)).toBe(320);
    expect(busyDeferralSeconds(30, 11, low)).toBe(900);
  });

  test('a malformed message comes back at once, to reach the DLQ without waiting', () => {
    expect(retryDelaySeconds(new MalformedMessageError('bad'), 3, high)).toBe(0);
  });
});
