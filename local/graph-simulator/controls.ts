import { randomUUID } from 'node:crypto';
import { graphError, type SimResponse } from './graph-errors';

/**
 * What tests and developers can make the simulated Graph API do: answer slowly, rate-limit with
 * Graph's own codes and usage headers, and fail by rule.
 */

/** The solution calls that change a solution: they count against the WhatsApp business use case. */
export const SOLUTION_WRITES = [
  'create_solution',
  'accept_solution',
  'reject_solution',
  'send_deactivation_request',
  'accept_deactivation_request',
  'reject_deactivation_request',
] as const;

/** The calls of our business on the clients onboarded through solutions, and on its credit lines. */
export const CLIENT_OPERATIONS = [
  'list_client_wabas',
  'list_waba_solutions',
  'assign_system_user',
  'list_assigned_users',
  'solution_access_token',
  'read_waba',
  'list_credit_lines',
  'share_credit_line',
  'read_allocation',
  'list_credit_allocations',
  'revoke_allocation',
] as const;

/** The Graph calls the simulator serves, as fault rules name them. */
export const GRAPH_OPERATIONS = ['debug_token', 'list_apps', ...SOLUTION_WRITES, 'read_solution', 'list_solution_partners', 'list_solutions', ...CLIENT_OPERATIONS] as const;
export type GraphOperation = (typeof GRAPH_OPERATIONS)[number];

export type FaultEffect =
  /**
   * A Graph error envelope with this status and code, and these response headers: a throttle's
   * `X-Business-Use-Case-Usage` with its `estimated_time_to_regain_access` (docs/graph-api.md §
   * Errors), say, or a `Retry-After` of a few seconds where Graph's estimate is in whole minutes (the
   * docs do not name Retry-After; the simulator sends it only when a rule asks). `fbtraceId` sets the
   * trace ID (an opaque string on Graph) to one of the rule's choosing: a hostile one, say.
   */
  | { type: 'error'; status: number; code: number; subcode?: number; message?: string; isTransient?: boolean; fbtraceId?: string; headers?: Record<string, string> }
  /** No answer at all, until the client gives up. */
  | { type: 'hang' }
  /** A body that is not JSON. */
  | { type: 'malformed'; status?: number }
  /** This answer instead of Graph's: a body of a shape Graph does not document, say. */
  | { type: 'answer'; status: number; body: unknown }
  /** A slow answer, then the normal one. */
  | { type: 'delay'; ms: number };

export interface FaultRule {
  id: string;
  /** Which calls it applies to; any when absent. */
  operation?: GraphOperation;
  /** The Tech Provider app or solution the call is about; any when absent. */
  objectId?: string;
  /** Applies to the next N matching calls, then is removed; every matching call when absent. */
  times?: number;
  /** Chance that a matching call is hit (default 1). */
  probability?: number;
  /**
   * `before`: the call fails and Graph does nothing. `after`: Graph does it, then the answer is
   * replaced, as when a response is lost after the work was done.
   */
  phase: 'before' | 'after';
  effect: FaultEffect;
}

export type RateLimitScope = 'app' | 'user' | 'business';
/**
 * A limit of Graph's shape (docs/graph-api.md § Errors; Meta's "Rate Limits" page): an allowance of
 * calls per rolling hour, whose usage the headers report in percent. `timeFactor` speeds the hour
 * up so that a bench run spans several: an hour lasts 3600 / timeFactor real seconds (1 when absent).
 */
export interface HourlyRateLimit {
  scope: RateLimitScope;
  callsPerHour: number;
  timeFactor?: number;
}
/** A stress limit, far tighter than Graph's hourly ones: `maxCalls` in any `windowSeconds`. */
export interface WindowRateLimit {
  scope: RateLimitScope;
  maxCalls: number;
  windowSeconds: number;
}
export type RateLimit = HourlyRateLimit | WindowRateLimit;

/** A limit as the count sees it: its allowance over a rolling window, and how long a minute lasts there. */
function rollingWindow(limit: RateLimit): { allowance: number; windowMs: number; minuteMs: number } {
  if ('callsPerHour' in limit) {
    const factor = limit.timeFactor ?? 1;
    return { allowance: limit.callsPerHour, windowMs: 3_600_000 / factor, minuteMs: 60_000 / factor };
  }
  return { allowance: limit.maxCalls, windowMs: limit.windowSeconds * 1000, minuteMs: 60_000 };
}

/** Whether a value is a rate limit the control API takes: one shape or the other, its numbers positive. */
export function isRateLimit(value: unknown): value is RateLimit {
  const l = value as Partial<HourlyRateLimit & WindowRateLimit> | null;
  const positive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;
  if (!l || !['app', 'user', 'business'].includes(l.scope as string)) return false;
  if (l.callsPerHour !== undefined) return l.maxCalls === undefined && l.windowSeconds === undefined && positive(l.callsPerHour) && (l.timeFactor === undefined || positive(l.timeFactor));
  return positive(l.maxCalls) && positive(l.windowSeconds);
}

export interface Latency {
  fixedMs: number;
  jitterMs: number;
}

const THROTTLE_ERRORS: Record<RateLimitScope, { code: number; message: string }> = {
  app: { code: 4, message: '(#4) Application request limit reached' },
  user: { code: 17, message: '(#17) User request limit reached' },
  business: { code: 80007, message: '(#80007) Rate limit hit for WhatsApp Business Account' },
};

export class SimulatorControls {
  latency: Latency = { fixedMs: 0, jitterMs: 0 };
  readonly faults: FaultRule[] = [];
  rateLimits: RateLimit[] = [];
  /** Items per listing page, in place of the seed's `maxPageSize` (a benchmark pages as Graph does: 100). */
  maxPageSize: number | undefined;
  private readonly calls = new Map<string, number[]>();

  reset(): void {
    this.latency = { fixedMs: 0, jitterMs: 0 };
    this.faults.length = 0;
    this.rateLimits = [];
    this.maxPageSize = undefined;
    this.calls.clear();
  }

  addFault(rule: Omit<FaultRule, 'id' | 'phase'> & { phase?: FaultRule['phase'] }): FaultRule {
    const full: FaultRule = { ...rule, phase: rule.phase ?? 'before', id: randomUUID() };
    this.faults.push(full);
    return full;
  }

  /** The rule that hits this call in this phase, if any (a `times` rule counts the hit). */
  takeFault(operation: GraphOperation, objectId: string | undefined, phase: FaultRule['phase']): FaultRule | undefined {
    const index = this.faults.findIndex(
      (r) => r.phase === phase && (!r.operation || r.operation === operation) && (!r.objectId || r.objectId === objectId) && Math.random() < (r.probability ?? 1),
    );
    const rule = this.faults[index];
    if (!rule) return undefined;
    if (rule.times !== undefined && --rule.times <= 0) this.faults.splice(index, 1);
    return rule;
  }

  delayMs(): number {
    return this.latency.fixedMs + Math.random() * this.latency.jitterMs;
  }

  /**
   * Counts a call against every limit that applies (per app, per user token, per business) and
   * answers with Graph's throttling error when one is exceeded; `usage` feeds the usage headers: the
   * percent of the allowance used over the rolling window. Only the calls Graph served count: Meta
   * says a limited app's calls fail "until enough time has passed for the call count to drop below
   * the limit", which time alone brings about only if the refused calls are not counted.
   */
  countCall(keys: Partial<Record<RateLimitScope, string>>, now = Date.now()): { throttled?: SimResponse; usage: Partial<Record<RateLimitScope, number>> } {
    const counts = this.rateLimits.flatMap((limit) => {
      const key = keys[limit.scope];
      if (!key) return [];
      const window = rollingWindow(limit);
      const recent = (this.calls.get(`${limit.scope}:${key}`) ?? []).filter((t) => t > now - window.windowMs);
      this.calls.set(`${limit.scope}:${key}`, recent);
      return [{ scope: limit.scope, key, recent, ...window }];
    });
    const refusing = counts.find((c) => c.recent.length >= c.allowance);
    // A refused call is not served: it counts against no limit.
    if (!refusing) for (const c of counts) c.recent.push(now);
    const usage = Object.fromEntries(counts.map((c) => [c.scope, Math.round((c.recent.length / c.allowance) * 100)]));
    if (!refusing) return { usage };
    const throttled: SimResponse = { ...graphError(400, { ...THROTTLE_ERRORS[refusing.scope], isTransient: true }), throttled: true };
    // Only the business use case limit comes with an estimate (in minutes); the platform limits
    // (app, user) say only their usage, in X-App-Usage (docs/graph-api.md § Errors). Access comes
    // back when the oldest counted call leaves the hour.
    if (refusing.scope === 'business') {
      const minutes = regainMinutes((refusing.recent[0] ?? now) + refusing.windowMs - now, refusing.minuteMs);
      throttled.headers = { 'x-business-use-case-usage': JSON.stringify({ [refusing.key]: [{ type: 'whatsapp', call_count: 100, total_cputime: 100, total_time: 100, estimated_time_to_regain_access: minutes }] }) };
    }
    return { throttled, usage };
  }
}

/**
 * Graph's estimate is in whole minutes. Under a time factor a minute lasts less than a real one: the
 * estimate counts whole minutes of the scaled hour but states them in real minutes (fractions), so
 * that a client, which knows nothing of the factor, waits the real time. Never less than one
 * (scaled) minute, rounded up to the microminute.
 */
function regainMinutes(ms: number, minuteMs: number): number {
  const minutes = (Math.max(1, Math.ceil(ms / minuteMs)) * minuteMs) / 60_000;
  return Math.ceil(minutes * 1e6) / 1e6;
}

/** The answer a fault gives instead of Graph's (undefined for `hang`: no answer ever). */
export function faultResponse(effect: FaultEffect): SimResponse | undefined {
  switch (effect.type) {
    case 'error':
      return {
        ...graphError(effect.status, {
          code: effect.code,
          message: effect.message ?? `Simulated fault (code ${effect.code})`,
          type: effect.code === 190 ? 'OAuthException' : 'GraphMethodException',
          ...(effect.subcode === undefined ? {} : { subcode: effect.subcode }),
          ...(effect.isTransient === undefined ? {} : { isTransient: effect.isTransient }),
          ...(effect.fbtraceId === undefined ? {} : { fbtraceId: effect.fbtraceId }),
        }),
        ...(effect.headers === undefined ? {} : { headers: effect.headers }),
      };
    case 'malformed':
      return { status: effect.status ?? 200, body: '{"solution_id": ', headers: { 'content-type': 'application/json' } };
    case 'answer':
      return { status: effect.status, body: effect.body };
    case 'hang':
      return undefined;
    case 'delay':
      throw new Error('a delay is not an answer');
  }
}
