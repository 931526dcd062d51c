import { performance } from 'node:perf_hooks';
import { logins, type BenchContext } from '../context';
import { cpuRow, cpuSnapshot, cpuUse } from '../cpu';
import { intakeWaits } from '../graph-calls';
import { postOnboarding, type PostOutcome } from '../pipeline-api';
import { mapPool } from '../pool';
import { millis, seconds, type SectionResult } from '../report';
import { countBy, percentile, round } from '../stats';

/** How long the onboardings intake started may take to settle before the next section (not measured). */
const SETTLE_TIMEOUT_MS = 120_000;
const SETTLE_POLL_MS = 500;

/**
 * Section 4: clients posting fresh tokens back to back (one app each), each POST timed alone, with no
 * retry: how long a Tech Provider waits for the answer, beside the Graph calls intake must wait for.
 */
export async function intakeLatency(ctx: BenchContext): Promise<SectionResult> {
  const { intakeClients: clients, intakePostsPerClient: perClient, latencyMs, jitterMs } = ctx.options;
  const tokens = await logins(ctx, clients * perClient, 1);
  const cpuAtStart = cpuSnapshot(ctx.runtime.pid);
  const t0 = performance.now();
  const perClientPosts = await mapPool(Array.from({ length: clients }, (_, c) => tokens.slice(c * perClient, (c + 1) * perClient)), clients, async (mine) => {
    const posts: PostOutcome[] = [];
    for (const login of mine) posts.push(await postOnboarding(ctx.runtime.endpoints.http, login.accessToken, { retry: false }));
    return posts;
  });
  const wallMs = performance.now() - t0;
  const cpu = cpuUse(cpuAtStart, cpuSnapshot(ctx.runtime.pid));
  const posts = perClientPosts.flat();
  const answered = posts.filter((p) => p.onboardingId).map((p) => p.ms);
  const refused = posts.length - answered.length;

  // The onboardings go on in the background: they settle before the next section, untimed.
  const ids = posts.flatMap((p) => (p.onboardingId ? [p.onboardingId] : []));
  const settleStart = performance.now();
  const settled = await ctx.watch.waitAllFinal(ids, { since: settleStart, pollMs: SETTLE_POLL_MS, deadline: settleStart + SETTLE_TIMEOUT_MS });

  const graphMs = intakeWaits(1, ctx.pageSize) * latencyMs;
  const p = (q: number) => percentile(answered, q);
  return {
    id: 'intake',
    title: `4. intake latency: ${clients} clients × ${posts.length / clients} POSTs each (1 app), Graph ${latencyMs} ± ${jitterMs} ms`,
    rows: [
      { what: 'POST answer time p50', measured: millis(p(50)), reference: `intake's Graph calls ${millis(graphMs)}`, ratio: round(p(50) / graphMs) },
      { what: 'POST answer time p95', measured: millis(p(95)), reference: millis(graphMs), ratio: round(p(95) / graphMs) },
      { what: 'POST answer time p99', measured: millis(p(99)), reference: millis(graphMs), ratio: round(p(99) / graphMs) },
      { what: 'POSTs answered', measured: `${answered.length} / ${posts.length}`, reference: `${round(posts.length / (wallMs / 1000), 1)} POSTs/s over ${seconds(wallMs)}` },
      { what: 'POSTs refused', measured: String(refused) },
      cpuRow(cpu),
    ],
    notes: [
      `intake's Graph calls: debug_token and one listing page, at once (${latencyMs} ms).`,
      settled.finalAfterMs === undefined
        ? `the ${ids.length} onboardings were not all final ${seconds(SETTLE_TIMEOUT_MS)} after the last POST.`
        : `the ${ids.length} onboardings were all final ${seconds(settled.finalAfterMs)} after the last POST (not part of the measurement).`,
    ],
    data: {
      samples: answered.length,
      refused,
      p50Ms: p(50),
      p95Ms: p(95),
      p99Ms: p(99),
      graphMs,
      wallMs,
      cpu,
      byStatus: countBy(posts.map((post) => String(post.status))),
      settledAfterMs: settled.finalAfterMs,
    },
  };
}
