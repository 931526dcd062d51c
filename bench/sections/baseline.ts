import { performance } from 'node:perf_hooks';
import { DEFAULT_SEED } from '../../local/graph-simulator/state';
import { logins, settle, type BenchContext } from '../context';
import { callStats, listPages } from '../graph-calls';
import { ratioGoal, seconds, type SectionResult } from '../report';
import { round } from '../stats';
import { armFaults, burstRows, runBurst } from './burst';
import { naiveOnboarding } from './naive';

/** The goal (issue 16 §5): the pipeline within 5× of a script that makes the same calls inline. */
const RATIO_GOAL = 5;

/**
 * Section 2: the same burst with no rate limit, then a naive script onboarding as many fresh Tech
 * Providers against the same simulator, all at once. The pipeline buys durability (records, queues,
 * retries, no duplicates) with time; this says how much.
 */
export async function noLimitBaseline(ctx: BenchContext): Promise<SectionResult> {
  const { n, k, latencyMs, jitterMs, quick, faultRate } = ctx.options;
  // The same deadline as the rate-limited burst's at its least: the no-limit run has no bound of its own.
  const timeoutMs = quick ? 20_000 : 120_000;

  await armFaults(ctx, faultRate);
  const pipeline = await runBurst(ctx, { n, k, timeoutMs });
  // The pipeline's webhook backlog drains first: the script must not share the CPU with it.
  const between = await settle(ctx);

  await armFaults(ctx, faultRate);
  const naiveLogins = await logins(ctx, n, k);
  const firstCall = (await ctx.sim.calls()).length;
  const partner = { appId: ctx.partnerAppId, appSecret: DEFAULT_SEED.appSecret, systemUserToken: DEFAULT_SEED.systemUserToken };
  const t0 = performance.now();
  const accepted = await Promise.all(naiveLogins.map((login) => naiveOnboarding(ctx.runtime.endpoints.graph, login, partner).catch(() => 0)));
  const naiveMs = performance.now() - t0;
  const naiveCalls = callStats((await ctx.sim.calls()).slice(firstCall));
  const naiveAccepted = accepted.reduce((sum, a) => sum + a, 0);

  const pipelineMs = pipeline.finalAfterMs ?? timeoutMs;
  const ratio = pipelineMs / naiveMs;
  // The script's apps follow each other: its chain is the whole onboarding's calls.
  const pages = listPages(k, ctx.pageSize);
  const naiveChain = 1 + pages + 3 * k;
  const naiveCriticalPathMs = naiveChain * latencyMs;
  return {
    id: 'baseline',
    title: `2. burst without rate limit beside a naive script: ${n} onboardings × ${k} apps, Graph ${latencyMs} ± ${jitterMs} ms${faultRate ? `, ${faultRate} fault rate` : ''}`,
    rows: [
      {
        what: 'pipeline: time until every solution final',
        measured: pipeline.finalAfterMs === undefined ? `> ${seconds(timeoutMs)} (timed out)` : seconds(pipelineMs),
        reference: `naive ${seconds(naiveMs)}`,
        ...ratioGoal(ratio, RATIO_GOAL),
      },
      ...burstRows(pipeline, ctx.pageSize).map((row) => ({ ...row, what: `pipeline: ${row.what}` })),
      {
        what: 'naive: time until every solution accepted',
        measured: seconds(naiveMs),
        reference: `one onboarding's calls in a row: ${seconds(naiveCriticalPathMs)}`,
        ratio: round(naiveMs / naiveCriticalPathMs),
      },
      { what: 'naive: solutions accepted', measured: `${naiveAccepted} / ${n * k}`, reference: `${naiveCalls.failed} calls failed, no retries` },
    ],
    notes: [
      `naive: all ${n} onboardings at once, each: debug_token, ${pages} listing page(s), then per app in turn create → read → accept (${naiveChain} calls in a row).`,
      `pipeline/naive: ratio ${ratio.toFixed(2)} (goal ≤ ${RATIO_GOAL})`,
    ],
    data: { ratio, pipeline, naive: { ms: naiveMs, accepted: naiveAccepted, expected: n * k, criticalPathMs: naiveCriticalPathMs, calls: naiveCalls }, settleBetweenMs: between.ms },
  };
}
