import { performance } from 'node:perf_hooks';
import { logins, type BenchContext } from '../context';
import { cpuRow, cpuSnapshot, cpuUse, type CpuUse } from '../cpu';
import { callRate, callStats, criticalPathCalls, lastAnswers, listPages, minimumCalls, type CallRate, type CallStats } from '../graph-calls';
import { outcomes, type Outcomes, type Started } from '../outcomes';
import { postOnboarding } from '../pipeline-api';
import { mapPool } from '../pool';
import type { RateLimit } from '../../local/graph-simulator/controls';
import type { SectionId } from '../options';
import { millis, ratioGoal, seconds, zeroGoal, type Row, type SectionResult } from '../report';
import { countBy, median, round } from '../stats';

/** How often a burst reads the table for solutions still under way. */
const POLL_MS = 500;
/** The goal for a rate-limited burst (issue 16 §5): within 30 % of what the rate limit and latency allow. */
const RATIO_GOAL = 1.3;

export interface BurstRun {
  n: number;
  k: number;
  timeoutMs: number;
  /** From the first POST until every POST was answered. */
  postsAnsweredMs: number;
  /** From the first POST until every solution was final; undefined when the deadline came first. */
  finalAfterMs: number | undefined;
  posts: { byStatus: Record<string, number>; retried: number; medianMs: number; maxMs: number };
  outcomes: Outcomes;
  calls: CallStats;
  /** Graph calls per second from the first POST until every solution was final (or the deadline). */
  callRate: CallRate;
  /** When each operation's last call was answered, ms after the first POST. */
  lastAnswerMs: ReturnType<typeof lastAnswers>;
  /** CPU from the first POST until every solution was final (or the deadline). */
  cpu: CpuUse;
}

/**
 * N Tech Providers with k apps each post their tokens at once (through a pool of
 * `options.postConcurrency`, as many clients as an HTTP API would take at a time); the run ends when
 * every solution is final or at `timeoutMs` from the first POST.
 */
export async function runBurst(ctx: BenchContext, opts: { n: number; k: number; timeoutMs: number }): Promise<BurstRun> {
  const { n, k, timeoutMs } = opts;
  const posted = await logins(ctx, n, k);
  const firstCall = (await ctx.sim.calls()).length;

  const cpuAtStart = cpuSnapshot(ctx.runtime.pid);
  const t0 = performance.now();
  // The simulator logs wall-clock times: the call rate is measured against the POSTs'.
  const wallT0 = Date.now();
  const started: Started[] = await mapPool(posted, ctx.options.postConcurrency, async (login) => ({
    login,
    post: await postOnboarding(ctx.runtime.endpoints.http, login.accessToken, { retry: true }),
  }));
  const postsAnsweredMs = performance.now() - t0;
  const ids = started.flatMap((s) => (s.post.onboardingId ? [s.post.onboardingId] : []));
  const final = await ctx.watch.waitAllFinal(ids, { since: t0, pollMs: POLL_MS, deadline: t0 + timeoutMs });
  const cpu = cpuUse(cpuAtStart, cpuSnapshot(ctx.runtime.pid));

  const calls = (await ctx.sim.calls()).slice(firstCall);
  const postMs = started.map((s) => s.post.ms);
  return {
    n,
    k,
    timeoutMs,
    postsAnsweredMs,
    finalAfterMs: final.finalAfterMs,
    posts: { byStatus: countBy(started.map((s) => String(s.post.status))), retried: started.filter((s) => s.post.attempts > 1).length, medianMs: median(postMs), maxMs: Math.max(...postMs) },
    outcomes: outcomes(started, final.records, await ctx.sim.solutions(), ctx.partnerAppId),
    calls: callStats(calls),
    callRate: callRate(calls, wallT0, wallT0 + (final.finalAfterMs ?? timeoutMs)),
    lastAnswerMs: lastAnswers(calls, wallT0),
    cpu,
  };
}

/** The rows every burst reports: POSTs, Graph calls per solution, and what must never happen. */
export function burstRows(run: BurstRun, pageSize: number, rateLimit?: number): Row[] {
  const { outcomes: o, calls, n, k } = run;
  const minimumPerSolution = minimumCalls(n, k, pageSize) / o.expected;
  // Calls are spent on the solutions that were started: a refused onboarding spends little.
  const started = o.expected - o.lost.notStarted;
  const perStarted = (count: number) => (started === 0 ? '—' : round(count / started).toFixed(2));
  const refused = Object.entries(run.posts.byStatus).filter(([status]) => !status.startsWith('2'));
  return [
    {
      what: 'every POST answered',
      measured: seconds(run.postsAnsweredMs),
      reference: `median ${seconds(run.posts.medianMs)}, max ${seconds(run.posts.maxMs)} each`,
    },
    {
      what: 'POSTs refused (after the page’s retries)',
      measured: refused.length === 0 ? '0' : refused.map(([status, count]) => `${count} × HTTP ${status}`).join(', '),
      reference: `${run.posts.retried} retried`,
    },
    { what: 'Graph calls per solution: minimum', measured: round(minimumPerSolution).toFixed(2), reference: `${minimumCalls(n, k, pageSize)} calls / ${o.expected} solutions` },
    {
      what: 'Graph calls per solution: answered OK',
      measured: perStarted(calls.ok),
      reference: `${calls.ok} calls / ${started} solutions started`,
      ...(started > 0 ? { ratio: round(calls.ok / started / minimumPerSolution) } : {}),
    },
    { what: 'Graph calls per solution: errors/no answer', measured: perStarted(calls.failed), reference: `${calls.failed} calls, retried apart` },
    {
      what: 'Graph call rate until final',
      measured: `mean ${round(run.callRate.meanPerSecond, 1)}/s, peak ${run.callRate.peakPerSecond}/s`,
      reference: rateLimit === undefined ? 'no limit' : `limit ${rateLimit}/s`,
    },
    {
      what: 'last call answered, by operation',
      measured: (['debug_token', 'create_solution', 'accept_solution'] as const)
        .map((op) => `${op.replace('_solution', '')} ${run.lastAnswerMs[op] === undefined ? '—' : seconds(run.lastAnswerMs[op])}`)
        .join(', '),
      reference: 'after the first POST',
    },
    { what: 'throttled answers received', measured: String(calls.throttled) },
    cpuRow(run.cpu),
    { what: 'succeeded (ACCEPTED/EXISTING)', measured: `${o.succeeded} / ${o.expected}`, reference: `${o.activeOnGraph} ACTIVE on Graph` },
    { what: 'duplicate solutions on Graph', measured: String(o.duplicates), ...zeroGoal(o.duplicates) },
    {
      what: 'lost solutions',
      measured: String(o.lost.total),
      reference: `refused ${o.lost.notStarted} (429: ${o.lost.notStartedThrottled}), missing ${o.lost.missing}, not final ${o.lost.notFinal}, throttle-failed ${o.lost.throttleFailed}`,
      ...zeroGoal(o.lost.total),
    },
    {
      what: 'failed for other reasons',
      measured: String(o.failedOther.total),
      reference: Object.entries(o.failedOther.byCode)
        .map(([code, count]) => `${count} × ${code}`)
        .join(', '),
    },
    { what: 'records ACCEPTED but not ACTIVE on Graph', measured: String(o.acceptedNotActive), ...zeroGoal(o.acceptedNotActive) },
  ];
}

/**
 * Graph's hourly allowance, sped up so that the rate-limited burst spans this many of its hours at
 * `--rate`: the limit binds at any --n, --k and --rate, the default and --quick runs alike (the burst
 * needs two hours' allowance, so half of it must wait for the hour to roll on), while an hour's
 * allowance stays well above the calls the pipeline's instances make before any of them has read a
 * usage header (about 30: each instance paces by what its own answers say).
 */
const HOURS_PER_BURST = 2;

/** Section 1: the burst against the app's Graph allowance of Graph's shape (per rolling hour, sped up), beside the best the limit and latency allow. */
export function rateLimitedBurst(ctx: BenchContext): Promise<SectionResult> {
  const { rate } = ctx.options;
  const callsBoundMs = (minimumCalls(ctx.options.n, ctx.options.k, ctx.pageSize) / rate) * 1000;
  // `--rate` stays calls per second on average: the allowance is what an hour of that lasts holds.
  const hourMs = callsBoundMs / HOURS_PER_BURST;
  const timeFactor = 3_600_000 / hourMs;
  const callsPerHour = (rate * hourMs) / 1000;
  return limitedBurst(ctx, {
    id: 'burst',
    heading: '1. burst, rate-limited',
    label: 'burst rate-limited',
    limit: { scope: 'app', callsPerHour, timeFactor },
    limitText: `app allowance ${round(callsPerHour, 1)} calls per rolling hour (${rate} calls/s on average), Graph's hour sped up ${round(timeFactor, 1)}× (lasting ${seconds(hourMs)}, a minute ${millis(hourMs / 60)})`,
  });
}

/** Section 1b: the same burst against a one-second window of `--rate` calls, far tighter than Graph's hourly allowances: the hard case for pacing. */
export function stressBurst(ctx: BenchContext): Promise<SectionResult> {
  const { rate } = ctx.options;
  return limitedBurst(ctx, {
    id: 'stress',
    heading: '1b. burst, stress',
    label: 'burst stress',
    limit: { scope: 'app', maxCalls: rate, windowSeconds: 1 },
    limitText: `app limit ${rate} calls in any one second`,
  });
}

async function limitedBurst(ctx: BenchContext, section: { id: SectionId; heading: string; label: string; limit: RateLimit; limitText: string }): Promise<SectionResult> {
  const { n, k, rate, latencyMs, jitterMs, quick, faultRate } = ctx.options;
  const { pageSize } = ctx;
  const minimum = minimumCalls(n, k, pageSize);
  const callsBoundMs = (minimum / rate) * 1000;
  const pathBoundMs = criticalPathCalls(k, pageSize) * latencyMs;
  const boundMs = Math.max(callsBoundMs, pathBoundMs);
  // Long enough for throttled work to come back (the pipeline waits a minute on a throttle), unless quick.
  const timeoutMs = quick ? Math.max(20_000, 3 * boundMs) : Math.max(120_000, 10 * boundMs);

  await ctx.sim.setRateLimits([section.limit]);
  await armFaults(ctx, faultRate);
  const run = await runBurst(ctx, { n, k, timeoutMs });

  const timeMs = run.finalAfterMs ?? timeoutMs;
  const ratio = timeMs / boundMs;
  const timedOut = run.finalAfterMs === undefined;
  return {
    id: section.id,
    title: `${section.heading}: ${n} onboardings × ${k} apps, Graph ${latencyMs} ± ${jitterMs} ms, ${section.limitText}, ${ctx.options.postConcurrency} POSTs at a time${faultRate ? `, ${faultRate} fault rate` : ''}`,
    rows: [
      {
        what: 'time until every solution final',
        measured: timedOut ? `> ${seconds(timeoutMs)} (timed out)` : seconds(timeMs),
        reference: `bound ${seconds(boundMs)}`,
        ...ratioGoal(ratio, RATIO_GOAL),
      },
      ...burstRows(run, pageSize, rate),
    ],
    notes: [
      `bound = max(${minimum} minimum Graph calls / ${rate} calls/s = ${seconds(callsBoundMs)}, critical path ${criticalPathCalls(k, pageSize)} calls × ${latencyMs} ms = ${seconds(pathBoundMs)});`,
      `  minimum calls = N × (debug_token + ${listPages(k, pageSize)} listing page(s) of ${pageSize} apps) + 3 × N × k (create, read, accept).`,
      `${section.label}: ratio ${ratio.toFixed(2)} (goal ≤ ${RATIO_GOAL}${timedOut ? `; not every solution was final after ${seconds(timeoutMs)}, so this is a lower bound` : ''})`,
      ...(run.outcomes.lost.notStarted > 0 ? [`  ${run.outcomes.lost.notStarted} solutions were never started (their POSTs were refused): the time covers less work than the bound.`] : []),
    ],
    data: { limit: section.limit, boundMs, callsBoundMs, pathBoundMs, minimumCalls: minimum, pageSize, ratio, ...run },
  };
}

/** The transient faults of `--fault-rate`: a 503 that Graph marks transient, on creates and accepts. */
export async function armFaults(ctx: BenchContext, probability: number): Promise<void> {
  if (probability === 0) return;
  for (const operation of ['create_solution', 'accept_solution'] as const) {
    await ctx.sim.addFault({ operation, probability, effect: { type: 'error', status: 503, code: 2, isTransient: true } });
  }
}
