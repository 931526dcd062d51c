import { GraphError } from '../../lambdas/graph/graph-error';
import { MalformedMessageError, RETRY_BACKOFF, retryDelaySeconds } from '../../lambdas/queue/retry-backoff';

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

  test('a malformed message comes back at once, to reach the DLQ without waiting', () => {
    expect(retryDelaySeconds(new MalformedMessageError('bad'), 3, high)).toBe(0);
  });
});
