import { createHash } from 'node:crypto';
import { setTimeout as pause } from 'node:timers/promises';
import type { PacingSettings } from '../schedule';
import { APP_LIMIT_CODE, BUSINESS_LIMIT_CODE, GraphError, networkGraphError } from './graph-error';
import type { UsageReading } from './graph-usage';

/** The span over which an instance measures its own call rate and the rise of usage. */
const RATE_SPAN_MS = 2_000;
/** A rise measured over less than this is noise (readings are whole percents). */
const MIN_RISE_SPAN_MS = 50;
/** How far one reading may slow an instance's rate down, or let it speed up. */
const MIN_FACTOR = 0.25;
const MAX_FACTOR = 2;
/** Tokens whose business usage is remembered (each is a hash, never the token). */
const MAX_TOKEN_SCOPES = 1_000;

/** Codes Graph throttles a user or a business with; any other throttle is the app's (graph-error.ts). */
const isTokenThrottle = (code: number) => code === 17 || (code >= 80_000 && code < 80_100);

/** One rate limit as this instance sees it: the app's, or the business behind one token. */
class Scope {
  constructor(
    /** The code Graph refuses this scope's calls with past its limit: the error of a call held at the limit and not sent. */
    private readonly limitCode: number,
  ) {}

  holdUntil = 0;
  /** The throttle behind the hold, for the error of a call that is not sent. */
  holdCode = 0;
  private nextStartAt = 0;
  private spacingMs = 0;
  /** Throttles without Graph's estimate in a row. */
  private throttles = 0;
  /** Answers in a row that read 100 %. */
  private fullReadings = 0;
  private readonly starts: number[] = [];
  /** The usage read on this scope's recent answers, oldest first. */
  private readonly readings: { at: number; percent: number }[] = [];

  /** When the next call's turn comes (its spacing after the last one). */
  get turnAt(): number {
    return this.nextStartAt;
  }

  start(now: number): void {
    this.nextStartAt = now + this.spacingMs;
    this.starts.push(now);
  }

  /**
   * Usage read on an answer that was not a throttle. At 100 % Graph refuses the next call unless
   * older ones leave its hour first: the scope waits as on a throttle, without one (longer each time
   * usage still reads 100 %).
   */
  observe(usagePercent: number | undefined, settings: PacingSettings, now: number): void {
    this.throttles = 0;
    if (usagePercent === undefined) return;
    if (usagePercent >= 100) this.hold(Math.min(settings.maxHoldMs, settings.firstHoldMs * 2 ** this.fullReadings++), this.limitCode, now);
    else this.fullReadings = 0;
    this.pace(usagePercent, settings, now);
  }

  /** A throttle: no call of this scope goes out until Graph's estimate (or a hold that grows) has passed. */
  throttled(code: number, askedSeconds: number | undefined, settings: PacingSettings, now: number): number {
    const holdMs = askedSeconds ? askedSeconds * 1000 : Math.min(settings.maxHoldMs, settings.firstHoldMs * 2 ** this.throttles++);
    this.hold(holdMs, code, now);
    this.pace(100, settings, now);
    return Math.ceil(holdMs / 1000);
  }

  /**
   * Graph's count is shared by every instance, so the rise of usage between this instance's readings
   * is everyone's doing: the instance scales its own rate by how far that rise is from the one that
   * would bring usage to the target in `approachMs` (none at or past the target, where a level above
   * it scales the rate down by target / usage). Calls go as they come while usage is below
   * `slowDownAtPercent` and rising no faster than that.
   */
  private pace(usagePercent: number, settings: PacingSettings, now: number): void {
    const span = now - RATE_SPAN_MS;
    while (this.readings.length > 0 && (this.readings[0]?.at ?? 0) <= span) this.readings.shift();
    while (this.starts.length > 0 && (this.starts[0] ?? 0) <= span) this.starts.shift();
    this.readings.push({ at: now, percent: usagePercent });
    const first = this.readings[0]!;
    // One step of a whole percent is no rise yet: it may be a single call ticking the count over.
    const risePerMs = now - first.at >= MIN_RISE_SPAN_MS ? Math.max(0, usagePercent - first.percent - 1) / (now - first.at) : 0;
    const allowedPerMs = (settings.targetPercent - usagePercent) / settings.approachMs;
    if (usagePercent < settings.slowDownAtPercent && risePerMs <= allowedPerMs) {
      this.spacingMs = 0;
      return;
    }
    const factor = risePerMs > 0 ? allowedPerMs / risePerMs : usagePercent < settings.targetPercent ? MAX_FACTOR : settings.targetPercent / usagePercent;
    const ownRatePerMs = Math.max(1, this.starts.length) / RATE_SPAN_MS;
    this.spacingMs = Math.min(settings.maxHoldMs, 1 / (ownRatePerMs * Math.min(MAX_FACTOR, Math.max(MIN_FACTOR, factor))));
  }

  private hold(holdMs: number, code: number, now: number): void {
    if (now + holdMs > this.holdUntil) [this.holdUntil, this.holdCode] = [now + holdMs, code];
  }
}

/** A call's turn: what its answer said goes back to the scopes it was paced by. */
export interface PacedCall {
  /**
   * The usage the answer reported, and the code if it was a throttle; for a throttle, how many
   * seconds to wait (Graph's estimate, or the hold when Graph gave none).
   */
  answered(reading: UsageReading, throttleCode?: number): number | undefined;
}

/**
 * How one function instance paces its Graph calls (docs/graph-api.md § Errors: "a client that sees
 * usage near 100 % slows down before it is blocked").
 *
 * All the calls of an instance share one pacer (the Graph client is built once per instance), so
 * its concurrent work slows down together. Instances share no state with each other: what they
 * share is Graph's own count. Every answer reports the usage of the whole app (X-App-Usage) and of
 * the business behind the token (X-Business-Use-Case-Usage) in percent of an allowance per rolling
 * hour, whichever instance made the calls. The pacer knows neither the allowance nor how long
 * Graph's hour is (an hour deployed; less in the bench's sped-up simulator): it sees percentages and
 * time only. So each instance reads how fast usage rises between its readings (everyone's calls)
 * and scales its own rate so that usage approaches `targetPercent` no faster than over `approachMs`,
 * and, past the target, by `targetPercent / usage`; together they level off near the target without
 * talking to each other. Spacing only slows a call down (by `maxWaitMs` at most), it never stops it
 * below the limit. At the limit (an answer reading 100 %, or a throttle) the instance holds the
 * calls of that scope: for Graph's estimate when it gives one; a call that would wait longer than
 * `maxWaitMs` for a hold to end is not sent and fails as throttled with the time left, so that its
 * retry comes after the hold, not into it. Its settings: the schedule's `graphPacing`
 * (lambdas/schedule.ts).
 */
export class GraphPacer {
  private readonly app = new Scope(APP_LIMIT_CODE);
  private readonly tokens = new Map<string, Scope>();

  constructor(
    private readonly settings: PacingSettings,
    private readonly clock: () => number = Date.now,
    private readonly wait: (ms: number, signal?: AbortSignal) => Promise<unknown> = (ms, signal) => pause(ms, undefined, { signal }),
  ) {}

  /**
   * Waits for this call's turn, `maxWaitMs` at most (spacing slows calls down, it never stops them),
   * and out of any hold; throws a throttled GraphError, unsent, if a hold lasts longer than that.
   */
  async beforeCall(token: string, signal?: AbortSignal): Promise<PacedCall> {
    const tokenScope = this.tokenScope(token);
    const scopes = [this.app, tokenScope];
    const latestTurn = this.clock() + this.settings.maxWaitMs;
    for (;;) {
      const now = this.clock();
      const held = scopes.reduce((a, b) => (b.holdUntil > a.holdUntil ? b : a));
      if (held.holdUntil - now > this.settings.maxWaitMs) throw notSent(held, held.holdUntil - now);
      const readyAt = Math.max(held.holdUntil, Math.min(latestTurn, Math.max(...scopes.map((s) => s.turnAt))));
      const waitMs = readyAt - now;
      if (waitMs <= 0) {
        for (const scope of scopes) scope.start(now);
        return { answered: (reading, throttleCode) => this.answered(tokenScope, reading, throttleCode) };
      }
      try {
        await this.wait(waitMs, signal);
      } catch {
        throw networkGraphError("Graph call not sent: it was waiting for its turn at the caller's deadline");
      }
    }
  }

  private answered(tokenScope: Scope, reading: UsageReading, throttleCode?: number): number | undefined {
    const now = this.clock();
    if (throttleCode === undefined) {
      this.app.observe(reading.appPercent, this.settings, now);
      tokenScope.observe(reading.businessPercent, this.settings, now);
      return undefined;
    }
    const scope = isTokenThrottle(throttleCode) ? tokenScope : this.app;
    return scope.throttled(throttleCode, reading.retryAfterSeconds, this.settings, now);
  }

  /** The business usage behind a token, keyed by a hash of it (the token itself is never kept). */
  private tokenScope(token: string): Scope {
    const key = createHash('sha256').update(token).digest('base64url');
    const scope = this.tokens.get(key) ?? new Scope(BUSINESS_LIMIT_CODE);
    // Most recently used last: the oldest is forgotten first.
    this.tokens.delete(key);
    this.tokens.set(key, scope);
    if (this.tokens.size > MAX_TOKEN_SCOPES) this.tokens.delete(this.tokens.keys().next().value as string);
    return scope;
  }
}

function notSent(held: Scope, waitMs: number): GraphError {
  const seconds = Math.ceil(waitMs / 1000);
  return new GraphError('throttled', { code: held.holdCode, message: `Graph call not sent: this app is at Graph's rate limit (code ${held.holdCode}); calls resume in ${seconds} s` }, 0, seconds);
}
