// The pipeline's public API (docs/design.md §3), on the page's own origin under `apiBase`.

/** A failed API call. `status` is 0 when the server could not be reached at all. */
export class ApiError extends Error {
  constructor({ status, code, message, retryAfterSeconds }) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Worth repeating as it is: the network, throttling, or the server side. */
  get isTransient() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** Answers worth posting the same token again for: no answer, or the server or Facebook unavailable. */
const RETRIED_POST_STATUSES = new Set([0, 500, 503, 504]);
/** Waits before each retry of a failed POST (a server's Retry-After counts, up to the last of these). */
const POST_RETRY_WAITS_MS = [1_000, 2_000, 4_000];

/**
 * Worth posting again: the answers above, API Gateway's own 429 (its stage throttle, before our code:
 * nothing was taken, and it says nothing of when, so the waits above apply), and Facebook's rate
 * limit when it lifts within the longest wait (our own 429, GRAPH_THROTTLED, says when in
 * Retry-After; a longer wait is the Tech Provider's to take).
 */
const isRetriedPost = (error) =>
  RETRIED_POST_STATUSES.has(error.status) ||
  (error.status === 429 && error.code === 'HTTP_429') ||
  (error.status === 429 && error.code === 'GRAPH_THROTTLED' && error.retryAfterSeconds !== undefined && error.retryAfterSeconds * 1000 <= POST_RETRY_WAITS_MS.at(-1));

/**
 * How long to wait before posting again after failed attempt `retry` (0 for the first), or
 * undefined when the page stops and shows the problem. `error`: `{status, code, retryAfterSeconds}`
 * (an ApiError; the bench (bench/pipeline-api.ts) posts as the page does with it).
 */
export function postRetryWaitMs(error, retry) {
  if (!isRetriedPost(error) || retry >= POST_RETRY_WAITS_MS.length) return undefined;
  return Math.min(Math.max(POST_RETRY_WAITS_MS[retry], (error.retryAfterSeconds ?? 0) * 1000), POST_RETRY_WAITS_MS.at(-1));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function createApi(apiBase) {
  async function call(method, path, body) {
    let response;
    try {
      response = await fetch(`${apiBase}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch {
      throw new ApiError({ status: 0, code: 'NETWORK_ERROR', message: 'The server could not be reached.' });
    }
    // A proxy in between (CloudFront, API Gateway) may answer with a body that is not ours.
    const payload = await response.json().catch(() => undefined);
    if (response.ok && payload) return payload;
    throw new ApiError({
      status: response.status,
      code: payload?.error?.code ?? `HTTP_${response.status}`,
      message: payload?.error?.message ?? '',
      retryAfterSeconds: retryAfterSeconds(response.headers.get('retry-after')),
    });
  }

  /**
   * Posting the same token again is safe (the API answers the first onboarding, 200): a POST that got
   * no answer, a 5xx meaning "nothing was set up, try again", a throttle before our code, or Facebook's
   * rate limit lifting within seconds is retried a few times before the page shows the problem.
   * `login`: `{accessToken, expiresIn?}` from the Facebook login. `onRetry(seconds)` tells the page
   * that it is waiting.
   */
  async function startOnboarding({ accessToken, expiresIn }, onRetry = () => {}) {
    for (let retry = 0; ; retry++) {
      try {
        // The token goes into this one request body and nowhere else; its lifetime bounds a deferred check.
        return await call('POST', '/onboardings', { accessToken, ...(expiresIn === undefined ? {} : { expiresIn }) });
      } catch (error) {
        const waitMs = error instanceof ApiError ? postRetryWaitMs(error, retry) : undefined;
        if (waitMs === undefined) throw error;
        onRetry(Math.ceil(waitMs / 1000));
        await sleep(waitMs);
      }
    }
  }

  return {
    startOnboarding,
    getOnboarding: (onboardingId) => call('GET', `/onboardings/${encodeURIComponent(onboardingId)}`),
  };
}

/** `Retry-After` is either seconds or an HTTP date. */
function retryAfterSeconds(header) {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
