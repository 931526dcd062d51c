import { createHash } from 'node:crypto';
import { setTimeout as pause } from 'node:timers/promises';
import type { PacingSettings } from '../schedule';
import { GraphError, networkGraphError } from './graph-error';
import type { UsageReading } from './graph-usage';

/** The span over which an instance measures its own call rate. */
const RATE_SPAN_MS = 2_000;
/** Tokens whose business usage is remembered (each is a hash, never the token). */
const MAX_TOKEN_SCOPES = 1_000;

/** Codes Graph throttles a user or a business with; any other throttle is the app's (graph-error.ts). */
const isTokenThrottle = (code: number) => code === 17 || (code >= 80_000 && code < 80_100);

/** One rate limit as this instance sees it: the app's, or the business behind one token. */
class Scope {
  holdUntil = 0;
  /** The throttle behind the hold, for the error of a call that is not sent. */
  holdCode = 0;
  private nextStartAt = 0;
  private spacingMs = 0;
  private throttles = 0;
  private readonly starts: number[] = [];

  /** When the next call's turn comes (its spacing after the last one). */
  get turnAt(): number {
    return this.nextStartAt;
  }

  start(now: number): void {
    this.nextStartAt = now + this.spacingMs;
    this.starts.push(now);
  }

  /** Usage read on an answer: spacing that scales this instance's rate toward the target. */
  observe(usagePercent: number | undefined, settings: PacingSettings, now: number): void {
    this.throttles = 0;
    if (usagePercent === undefined) return;
    if (usagePercent < settings.slowDownAtPercent) {
      this.spacingMs = 0;
      return;
    }
    while (this.starts.length > 0 && (this.starts[0] ?? 0) <= now - RATE_SPAN_MS) this.starts.shift();
    const ownRatePerMs = Math.max(1, this.starts.length) / RATE_SPAN_MS;
    // Graph reports no more than 100 %, however far past the limit the calls go: there, halve.
    const scale = usagePercent >= 100 ? 0.5 : settings.targetPercent / usagePercent;
    this.spacingMs = Math.min(settings.maxHoldMs, 1 / (ownRatePerMs * scale));
  }

  /** A throttle: no call of this scope goes out until Graph's estimate (or a hold that grows) has passed. */
  throttled(code: number, askedSeconds: number | undefined, settings: PacingSettings, now: number): number {
    const throttles = this.throttles;
    const holdMs = askedSeconds ? askedSeconds * 1000 : Math.min(settings.maxHoldMs, settings.firstHoldMs * 2 ** throttles);
    this.observe(100, settings, now);
    this.throttles = askedSeconds ? throttles : throttles + 1;
    if (now + holdMs > this.holdUntil) [this.holdUntil, this.holdCode] = [now + holdMs, code];
    return Math.ceil(holdMs / 1000);
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
 * the business behind the token (X-Business-Use-Case-Usage), whichever instance made the calls; so
 * each instance scales its own call rate by `targetPercent / usage`, and together they converge on
 * the target without talking to each other. Spacing only slows a call down (by `maxWaitMs` at
 * most). A throttle holds the instance's calls of that scope for Graph's estimate; a call that
 * would wait longer than `maxWaitMs` for a hold to end is not sent and fails as throttled with the
 * time left, so that its retry comes after the hold, not into it. Its settings: the schedule's
 * `graphPacing` (lambdas/schedule.ts).
 */
export class GraphPacer {
  private readonly app = new Scope();
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
    const scope = this.tokens.get(key) ?? new Scope();
    // Most recently used last: the oldest is forgotten first.
    this.tokens.delete(key);
    this.tokens.set(key, scope);
    if (this.tokens.size > MAX_TOKEN_SCOPES) this.tokens.delete(this.tokens.keys().next().value as string);
    return scope;
  }
}

function notSent(held: Scope, waitMs: number): GraphError {
  const seconds = Math.ceil(waitMs / 1000);
  return new GraphError('throttled', { code: held.holdCode, message: `Graph call not sent: Graph throttled this app (code ${held.holdCode}); calls resume in ${seconds} s` }, 0, seconds);
}
