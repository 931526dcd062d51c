/**
 * Graph API errors, classified once (see docs/graph-api.md § Errors):
 * - transient: retry with backoff (5xx, codes 1 and 2, `is_transient`, timeouts, resets)
 * - throttled: back off longer (rate-limit codes, HTTP 429)
 * - permanent: never retry (token, permission, bad parameter, other 4xx)
 */
export type GraphErrorClass = 'transient' | 'throttled' | 'permanent';

/** What Graph said, kept on failed records. Never contains a token. */
export interface GraphErrorDetails {
  code: number;
  subcode?: number;
  message: string;
  fbtraceId?: string;
}

/** Graph's code for an app past its platform rate limit, and for a WhatsApp business past its use case's limit. */
export const APP_LIMIT_CODE = 4;
export const BUSINESS_LIMIT_CODE = 80_007;
const THROTTLING_CODES = new Set([APP_LIMIT_CODE, 17, 32, 613, 80001, 80002, 80003, 80004, 80005, 80006, BUSINESS_LIMIT_CODE, 80008, 80009, 80014]);
const TRANSIENT_CODES = new Set([1, 2]);
const TOKEN_CODES = new Set([102, 190]);

export class GraphError extends Error {
  override readonly name = 'GraphError';

  constructor(
    readonly errorClass: GraphErrorClass,
    readonly details: GraphErrorDetails,
    /** HTTP status of the Graph response; 0 when no response arrived (timeout, reset). */
    readonly httpStatus: number,
    /**
     * When throttled: how long to wait. Graph's own estimate (Retry-After, or the business use case's
     * `estimated_time_to_regain_access`) when it gives one; otherwise the client's hold (graph-pacer.ts).
     */
    readonly retryAfterSeconds?: number,
  ) {
    super(details.message);
  }

  get retryable(): boolean {
    return this.errorClass !== 'permanent';
  }

  /** The TP token is unusable (expired, revoked, invalid): the TP must run the flow again. */
  get isTokenError(): boolean {
    return TOKEN_CODES.has(this.details.code);
  }

  /** Missing permission: a configuration problem on our side or a declined grant on theirs. */
  get isPermissionError(): boolean {
    const { code } = this.details;
    return code === 10 || (code >= 200 && code <= 299);
  }
}

export function classifyGraphError(httpStatus: number, code: number, isTransient: boolean): GraphErrorClass {
  if (httpStatus === 429 || THROTTLING_CODES.has(code)) return 'throttled';
  if (isTransient || httpStatus >= 500 || TRANSIENT_CODES.has(code)) return 'transient';
  return 'permanent';
}

/**
 * A success answer we cannot read: not JSON, or not the documented shape. Transient: a proxy or a
 * cut-off answer may be to blame and the next attempt reads again; if Graph itself changed, the
 * retries run out where failures are parked and alarmed. The work itself was done (2xx).
 */
export function unexpectedAnswerGraphError(message: string): GraphError {
  return new GraphError('transient', { code: -1, message }, 200);
}

/** A network-level failure (no Graph response): always transient. */
export function networkGraphError(message: string): GraphError {
  return new GraphError('transient', { code: -1, message }, 0);
}
