import type { GraphOperation } from '../local/graph-simulator/controls';
import { graphOperation } from '../local/graph-simulator/graph-routes';
import type { LoggedCall } from './simulator';

/**
 * What the Graph calls of a run cost, against the fewest any client could make. `pageSize` is the
 * items one page of the app listing holds (see Simulator.pageAsGraph): with Graph's own, k ≤ 25 apps
 * take one page; with the simulator's seed (2), ⌈k/2⌉.
 */
export const listPages = (k: number, pageSize: number) => Math.max(1, Math.ceil(k / pageSize));

/**
 * The fewest Graph calls that onboard `n` Tech Providers of `k` apps each: per onboarding debug_token
 * and the listing's pages; per solution create, read it to check it, accept.
 */
export const minimumCalls = (n: number, k: number, pageSize: number) => n * (1 + listPages(k, pageSize)) + 3 * n * k;

/** Intake's Graph calls one after another: debug_token goes out with the listing's first page (start-onboarding.ts), then its other pages. */
export const intakeWaits = (k: number, pageSize: number) => listPages(k, pageSize);

/** One onboarding's calls that must follow each other, its latency critical path: intake's, then create → read → accept of one app. */
export const criticalPathCalls = (k: number, pageSize: number) => intakeWaits(k, pageSize) + 3;

export interface CallStats {
  total: number;
  /** Answered with a 2xx. */
  ok: number;
  /** Answered with an error, or never answered (a hang, logged with status 0). */
  failed: number;
  /** Refused by a rate limit, as far as the simulator's log marks it. */
  throttled: number;
  /** Per operation (the simulator's names; `other` for any call it does not name). */
  byOperation: Partial<Record<GraphOperation | 'other', { ok: number; failed: number }>>;
}

/** The simulator's name for a logged call (`other` for any it does not name). */
export function operationOf(call: LoggedCall): GraphOperation | 'other' {
  // The log's path has the version stripped and a leading slash; the simulator's router takes it without.
  return graphOperation(call.method, call.path.replace(/^\//, ''))?.operation ?? 'other';
}

export function callStats(calls: readonly LoggedCall[]): CallStats {
  const stats: CallStats = { total: calls.length, ok: 0, failed: 0, throttled: 0, byOperation: {} };
  for (const call of calls) {
    const ok = call.status >= 200 && call.status < 300;
    const operation = operationOf(call);
    const counts = (stats.byOperation[operation] ??= { ok: 0, failed: 0 });
    if (ok) {
      stats.ok++;
      counts.ok++;
    } else {
      stats.failed++;
      counts.failed++;
    }
    if (call.throttled === true) stats.throttled++;
  }
  return stats;
}

export interface CallRate {
  meanPerSecond: number;
  /** The busiest one-second span (aligned on the start), which is what a one-second rate limit sees. */
  peakPerSecond: number;
  /** Calls answered in each second from the start, by operation: how the run spent its time. */
  perSecond: Partial<Record<GraphOperation | 'other', number>>[];
}

/** The rate of calls answered from `fromMs` to `toMs` (epoch ms). */
export function callRate(calls: readonly LoggedCall[], fromMs: number, toMs: number): CallRate {
  const perSecond: Partial<Record<GraphOperation | 'other', number>>[] = Array.from({ length: Math.ceil((toMs - fromMs) / 1000) }, () => ({}));
  let inSpan = 0;
  for (const call of calls) {
    const second = perSecond[Math.floor((Date.parse(call.at) - fromMs) / 1000)];
    if (!second) continue;
    const operation = operationOf(call);
    second[operation] = (second[operation] ?? 0) + 1;
    inSpan++;
  }
  const totals = perSecond.map((second) => Object.values(second).reduce((sum, count) => sum + count, 0));
  return { meanPerSecond: inSpan / Math.max(0.001, (toMs - fromMs) / 1000), peakPerSecond: Math.max(0, ...totals), perSecond };
}

/**
 * When each operation's last call was answered, ms after `fromMs` (epoch ms): the phases of a burst
 * (intake's calls end when the POSTs are done; creates, then accepts, trail behind).
 */
export function lastAnswers(calls: readonly LoggedCall[], fromMs: number): Partial<Record<GraphOperation | 'other', number>> {
  const last: Partial<Record<GraphOperation | 'other', number>> = {};
  for (const call of calls) {
    const operation = operationOf(call);
    last[operation] = Math.max(last[operation] ?? 0, Date.parse(call.at) - fromMs);
  }
  return last;
}
