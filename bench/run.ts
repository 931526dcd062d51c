import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { RECONCILER } from '../lib/pipeline-settings';
import { REPO_ROOT } from '../lib/repo-root';
import { settle, simulatorLatency, type BenchContext } from './context';
import { FinalWatch } from './final-watch';
import { parseOptions, SECTION_IDS, USAGE, type BenchOptions, type SectionId } from './options';
import { PeakRssSampler, treeRss } from './process-tree';
import { formatSection, seconds, writeResults, type SectionResult } from './report';
import { startRuntime, type BenchRuntime } from './runtime-process';
import { noLimitBaseline } from './sections/baseline';
import { rateLimitedBurst, stressBurst } from './sections/burst';
import { coldStart } from './sections/cold-start';
import { costOfSolutions } from './sections/cost';
import { intakeLatency } from './sections/intake';
import { machine, machineInfo } from './sections/machine';
import { memory } from './sections/memory';
import { singleOnboarding } from './sections/single';
import { Simulator } from './simulator';

/**
 * `npm run bench`: throughput and latency of the local pipeline (issue 16 §5/§6) on one `npm start`
 * runtime, section after section, each on Tech Providers of its own. Prints a table per section and
 * writes every number to bench/results/. Goals are reported, not enforced: the exit code is non-zero
 * only when the bench itself could not run.
 */

const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');
/** The sandboxes warm up after the runtime says it is ready: idle memory is read once they are up. */
const IDLE_SETTLE_MS = 1_000;
const PEAK_SAMPLE_MS = 250;
/** A webhook backlog that outlasts a section by this much is worth a line in its report. */
const NOTABLE_SETTLE_MS = 1_000;

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

let options: BenchOptions | 'help';
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  log(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}
if (options === 'help') {
  console.log(USAGE);
  process.exit(0);
}

const benchStart = performance.now();
const startedAt = new Date().toISOString();
// Before the runtime starts: the load the machine had without the bench.
const info = machineInfo();
log(`starting the local runtime (load average ${info.loadAverage.join(' ')})…`);
let runtime: BenchRuntime;
try {
  runtime = await startRuntime();
} catch (error) {
  log(`the local runtime did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
log(`runtime ready in ${runtime.readyInS ?? '?'} s (its own count; ${seconds(runtime.startMs)} from spawn): pid ${runtime.pid}, DynamoDB Local pid ${runtime.jvmPids.join(', ')}`);

// Ctrl-C on the bench stops the runtime (and its JVM) before leaving.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the runtime…`);
    runtime.stop().finally(() => process.exit(130));
  });
}

const sim = new Simulator(runtime.endpoints.graph);
const watch = new FinalWatch(runtime.endpoints);
const results = new Map<SectionId, SectionResult>();
let sectionFailed = false;
let pageSize: number | undefined;
try {
  await sim.setLatency(simulatorLatency(options.latencyMs, options.jitterMs));
  pageSize = await sim.pageAsGraph();
  const ctx: BenchContext = {
    options,
    runtime,
    sim,
    watch,
    partnerAppId: runtime.endpoints.wiring.functions.intake.environment.PARTNER_APP_ID!,
    pageSize,
  };
  await sleep(IDLE_SETTLE_MS);
  const idle = treeRss(runtime.pid);
  const sampler = new PeakRssSampler(runtime.pid, PEAK_SAMPLE_MS);
  // The bursts are sampled for peak memory; only they load the runtime that much.
  const sampled = async (section: () => Promise<SectionResult>) => {
    sampler.start();
    try {
      return await section();
    } finally {
      sampler.stop();
    }
  };
  // Cold starts first, on an idle machine; the bursts last, as they leave the most behind.
  const plan: [SectionId, () => Promise<SectionResult>][] = [
    ['cold-start', () => coldStart(ctx)],
    ['single', () => singleOnboarding(ctx)],
    ['cost', () => costOfSolutions(ctx)],
    ['intake', () => intakeLatency(ctx)],
    ['burst', () => sampled(() => rateLimitedBurst(ctx))],
    ['stress', () => sampled(() => stressBurst(ctx))],
    ['baseline', () => sampled(() => noLimitBaseline(ctx))],
  ];
  for (const [id, run] of plan) {
    if (!options.sections.includes(id)) continue;
    log(`${id}…`);
    const sectionStart = performance.now();
    try {
      const result = await run();
      const settled = await settle(ctx);
      result.data.settle = settled;
      if (settled.ms >= NOTABLE_SETTLE_MS) result.notes.push(`the simulator's webhook backlog took ${seconds(settled.ms)} more to deliver after this section.`);
      results.set(id, result);
    } catch (error) {
      sectionFailed = true;
      results.set(id, failedSection(id, error, runtime.outputTail()));
    }
    log(`${id} done in ${seconds(performance.now() - sectionStart)}`);
  }
  if (options.sections.includes('memory')) {
    results.set('memory', memory(idle, sampler.sampleCount > 0 ? { sample: sampler.peak, samples: sampler.sampleCount, intervalMs: PEAK_SAMPLE_MS } : undefined));
  }
  if (options.sections.includes('machine')) results.set('machine', machine(info));
} finally {
  watch.destroy();
  log('stopping the runtime…');
  const { jvmKilled } = await runtime.stop();
  if (jvmKilled) log('DynamoDB Local outlived the runtime and was killed');
}

const ordered = SECTION_IDS.flatMap((id) => results.get(id) ?? []);
const file = writeResults(RESULTS_DIR, {
  startedAt,
  finishedAt: new Date().toISOString(),
  options,
  runtime: { pid: runtime.pid, jvmPids: runtime.jvmPids, readyInS: runtime.readyInS, startMs: runtime.startMs, reconcileIntervalSeconds: RECONCILER.intervalSeconds },
  listingPageSize: pageSize,
  sections: Object.fromEntries(ordered.map(({ id, ...section }) => [id, section])),
});
console.log(
  [
    `mps-onboarding bench, ${startedAt}${options.quick ? ' (--quick)' : ''}: runtime ready in ${runtime.readyInS ?? '?'} s (${seconds(runtime.startMs)} from spawn), reconciler every ${RECONCILER.intervalSeconds} s, app listing paged at ${pageSize} apps`,
    ...ordered.map(formatSection),
    `results: ${file}; the bench took ${seconds(performance.now() - benchStart)}`,
  ].join('\n\n'),
);
process.exit(sectionFailed ? 1 : 0);

/** A section that could not run: reported as such, with the runtime's last words. */
function failedSection(id: SectionId, error: unknown, runtimeOutput: string): SectionResult {
  const message = error instanceof Error ? error.message : String(error);
  return {
    id,
    title: `${id}: could not run`,
    rows: [{ what: 'error', measured: message.split('\n')[0]! }],
    notes: [],
    data: { error: error instanceof Error ? (error.stack ?? message) : message, runtimeOutput },
  };
}
