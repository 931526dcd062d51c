import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Latency } from '../local/graph-simulator/controls';
import type { FinalWatch } from './final-watch';
import type { BenchOptions } from './options';
import { mapPool } from './pool';
import type { BenchRuntime } from './runtime-process';
import type { Login, Simulator } from './simulator';

/** What every section works with: one runtime, its simulator and a view of its table. */
export interface BenchContext {
  options: BenchOptions;
  runtime: BenchRuntime;
  sim: Simulator;
  watch: FinalWatch;
  /** Our Solution Partner app, as the running runtime was configured with it. */
  partnerAppId: string;
  /** Items per page of the app listing the simulator answers (Simulator.pageAsGraph). */
  pageSize: number;
}

/** The simulator's latency setting for a mean of `meanMs` ± `spreadMs`: a fixed part plus a uniform 0..2·spread. */
export const simulatorLatency = (meanMs: number, spreadMs: number): Latency => ({ fixedMs: meanMs - spreadMs, jitterMs: 2 * spreadMs });

/** Logins made ahead of a measurement: setting up Tech Providers is no part of what is timed. */
export function logins(ctx: BenchContext, count: number, appsEach: number): Promise<Login[]> {
  return mapPool(Array.from({ length: count }), 10, () => ctx.sim.login(appsEach));
}

/** How long a section waits for the simulator's webhook backlog to drain before the next one starts. */
const SETTLE_TIMEOUT_MS = 120_000;
const SETTLE_POLL_MS = 250;

/**
 * Back to a quiet runtime between sections: faults and rate limits off, and every webhook delivery
 * made (the simulator sends them one at a time, so a burst leaves a backlog that would load the next
 * section's measurement). Resolves with the time it took, a measure of that backlog.
 */
export async function settle(ctx: BenchContext): Promise<{ ms: number; webhooksPending: number }> {
  const started = performance.now();
  await ctx.sim.clearFaults();
  await ctx.sim.setRateLimits([]);
  for (;;) {
    const webhooksPending = await ctx.sim.pendingWebhooks();
    if (webhooksPending === 0 || performance.now() - started > SETTLE_TIMEOUT_MS) return { ms: performance.now() - started, webhooksPending };
    await sleep(SETTLE_POLL_MS);
  }
}
