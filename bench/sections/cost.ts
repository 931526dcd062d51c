import { performance } from 'node:perf_hooks';
import { SCHEDULE } from '../../lambdas/schedule';
import { ACCEPT_EVENT_SOURCE, CREATE_EVENT_SOURCE } from '../../lib/pipeline-settings';
import type { SolutionRecord } from '../../lambdas/domain/records';
import { SHARD_POLL_MS } from '../../local/runtime/stream-event-source';
import type { UsageSnapshot } from '../../local/runtime/usage-meter';
import { logins, settle, type BenchContext } from '../context';
import {
  BILL_APPS,
  BILL_ONBOARDINGS,
  billFor,
  acceptBatches as batchesOfAccepts,
  gbSeconds,
  minimumPerOnboarding,
  PERIODIC_FUNCTIONS,
  PIPELINE_FUNCTIONS,
  PRICES,
  type PipelineFunction,
  type SolutionCost,
} from '../cost-model';
import { callStats } from '../graph-calls';
import { postOnboarding } from '../pipeline-api';
import { millis, ratioGoal, type Row, type SectionResult } from '../report';
import { round } from '../stats';
import { readUsage, serviceTotal, usageBetween } from '../usage';

/** Each measured figure within this of the design's minimum (issue 29 §4). */
const GOAL = 1.5;
const APPS = BILL_APPS;
const POLL_MS = 25;
const TIMEOUT_MS = 60_000;

const isPeriodic = (caller: string) => (PERIODIC_FUNCTIONS as readonly string[]).includes(caller);
const fixed = (value: number, digits = 2) => value.toFixed(digits);
const dollars = (value: number) => `$${value.toFixed(value < 1 ? 4 : 2)}`;

/**
 * Section `cost`: the cost of a solution from counted work. Onboardings of three apps, one after
 * another (each alone, as a Tech Provider's click is), through the runtime with its usage meter:
 * DynamoDB request units as DynamoDB Local reports them (table and indexes), SQS requests in 64 KiB
 * chunks, each function's invocations and billed milliseconds in its sandboxes, Graph calls from the
 * simulator's log; then Meta's webhooks are let in. Each figure per solution beside the least the
 * design needs (bench/cost-model.ts), and the bill for 1,000 such onboardings at list prices. The
 * reconciler's and the queue's idle polling are per minute, not per solution: reported apart.
 */
export async function costOfSolutions(ctx: BenchContext): Promise<SectionResult> {
  const { latencyMs, costOnboardings: n } = ctx.options;
  const [warmUp, ...people] = await logins(ctx, n + 1, APPS);
  // A first onboarding starts the sandboxes three apps need at once; a deployed stack at a steady pace has them warm.
  await onboard(ctx, warmUp!.accessToken);
  await settle(ctx);
  const before = await readUsage(ctx.runtime.endpoints.usage);
  const firstCall = (await ctx.sim.calls()).length;
  const firstDelivery = (await ctx.sim.webhooks()).length;
  const t0 = performance.now();
  let acceptBatches = 0;
  for (const login of people) {
    const solutions = await onboard(ctx, login.accessToken);
    acceptBatches += batchesOfAccepts(solutions.map((s) => Date.parse(s.history?.find((h) => h.status === 'CREATED')?.at ?? s.updatedAt)), SHARD_POLL_MS);
  }
  await settle(ctx);
  const windowMs = performance.now() - t0;
  const used = usageBetween(before, await readUsage(ctx.runtime.endpoints.usage));
  const calls = (await ctx.sim.calls()).slice(firstCall);
  const deliveries = (await ctx.sim.webhooks()).slice(firstDelivery).filter((d) => d.outcome === 'delivered').length;

  const solutions = n * APPS;
  const per = (count: number) => count / solutions;
  const minimum = minimumPerOnboarding(APPS, ctx.pageSize, deliveries / n, acceptBatches / n);
  const minPer = (perOnboarding: number) => perOnboarding / APPS;

  const dynamo = serviceTotal(used, 'dynamodb', (caller) => !isPeriodic(caller));
  const sqs = serviceTotal(used, 'sqs', (caller) => !isPeriodic(caller));
  // A refused conditional write still costs a write unit (DynamoDB Local reports none for it).
  const measured = {
    writeUnits: per(dynamo.writeUnits + dynamo.refused),
    readUnits: per(dynamo.readUnits),
    // An empty receive is the pollers' idle wait, billed per minute whatever the traffic: apart.
    sqsRequests: per(sqs.chunks - sqs.empty),
    graphCalls: per(calls.length),
  };
  // The time one of the functions' own DynamoDB or SQS requests took in this run (through the meter):
  // what a minimum's waits are priced at. The event sources' requests are apart: their receives
  // long-poll (a wait, not work) and no invocation is billed for them.
  const ownCalls = (caller: string) => (PIPELINE_FUNCTIONS as readonly string[]).includes(caller);
  const own = [serviceTotal(used, 'dynamodb', ownCalls), serviceTotal(used, 'sqs', ownCalls)];
  const awsMs = own.reduce((ms, u) => ms + u.ms, 0) / Math.max(1, own.reduce((n, u) => n + u.requests, 0));

  const rows: Row[] = [
    figure('DynamoDB write request units', measured.writeUnits, minPer(minimum.writeUnits.value)),
    figure('DynamoDB read request units', measured.readUnits, minPer(minimum.readUnits.value)),
    figure('SQS requests (64 KiB chunks)', measured.sqsRequests, minPer(minimum.sqsRequests.value)),
    figure('Graph calls', measured.graphCalls, minPer(minimum.graphCalls.value)),
  ];
  // Per solution: the function's least invocations, each waiting for its calls one after another.
  const minLambda = (fn: PipelineFunction) => {
    const invocations = minPer(minimum.invocations[fn]);
    return { invocations, billedMs: invocations * (minimum.waits[fn].graph * latencyMs + minimum.waits[fn].aws * awsMs) };
  };
  const lambda: SolutionCost['lambda'] = {};
  let billedMs = 0;
  let minBilledMs = 0;
  for (const fn of PIPELINE_FUNCTIONS) {
    const usage = used.functions[fn] ?? { invocations: 0, billedMs: 0, inits: 0, initBilledMs: 0 };
    // Sandbox starts are Lambda's cold starts (billed, and under 1 % of a steady load's invocations): apart.
    const fnBilledMs = usage.billedMs;
    lambda[fn] = { invocations: per(usage.invocations), billedMs: per(fnBilledMs) };
    const least = minLambda(fn);
    billedMs += per(fnBilledMs);
    minBilledMs += least.billedMs;
    rows.push(
      figure(`${fn}: invocations`, per(usage.invocations), least.invocations),
      figure(`${fn}: billed ms${usage.inits > 0 ? ` (${usage.inits} cold starts, ${usage.initBilledMs} ms)` : ''}`, per(fnBilledMs), least.billedMs, millis),
    );
  }
  rows.push(figure('Lambda billed ms, all functions', billedMs, minBilledMs, millis));
  const gbs = PIPELINE_FUNCTIONS.reduce((sum, fn) => sum + gbSeconds(fn, lambda[fn]!.billedMs), 0);
  rows.push({ what: 'Lambda GB-seconds (at each function’s memory)', measured: fixed(gbs, 4) });

  // Meta's deliveries reach the webhook function through the HTTP API, as the POST does.
  const httpRequests = per(n + deliveries);
  const bill = billFor({ writeUnits: measured.writeUnits, readUnits: measured.readUnits, sqsRequests: measured.sqsRequests, lambda, httpRequests });
  const minBill = billFor({
    writeUnits: minPer(minimum.writeUnits.value),
    readUnits: minPer(minimum.readUnits.value),
    sqsRequests: minPer(minimum.sqsRequests.value),
    lambda: Object.fromEntries(PIPELINE_FUNCTIONS.map((fn) => [fn, minLambda(fn)])),
    httpRequests,
  });
  rows.push({
    what: `bill for ${BILL_ONBOARDINGS.toLocaleString('en')} onboardings × ${BILL_APPS} apps, ${PRICES.region}, ${PRICES.date}`,
    measured: `${dollars(bill.total)} (DynamoDB ${dollars(bill.lines.dynamodb)}, Lambda ${dollars(bill.lines.lambda)}, SQS ${dollars(bill.lines.sqs)}, HTTP API ${dollars(bill.lines.httpApi)})`,
    reference: `at the minimums ${dollars(minBill.total)}`,
    ...ratioGoal(bill.total / minBill.total, GOAL),
  });

  const periodic = periodicCost(used, windowMs);
  return {
    id: 'cost',
    title: `cost of a solution: ${n} onboardings × ${APPS} apps, one at a time, Graph ${latencyMs} ms (per solution; minimum = the design’s own work)`,
    rows,
    notes: [
      `minimums: WRU ${fixed(minPer(minimum.writeUnits.value))}: ${minimum.writeUnits.why}; RRU ${fixed(minPer(minimum.readUnits.value))}: ${minimum.readUnits.why}; SQS ${fixed(minPer(minimum.sqsRequests.value))}: ${minimum.sqsRequests.why}; Graph ${fixed(minPer(minimum.graphCalls.value))}: ${minimum.graphCalls.why}.`,
      `billed ms minimum: each invocation’s waits one after another (Graph calls × ${latencyMs} ms, the functions' DynamoDB/SQS requests × ${millis(awsMs)}, their mean in this run); webhook: ${fixed(deliveries / solutions)} deliveries per solution, as Meta sent them; accept: ${fixed(acceptBatches / n)} batches per onboarding, as its creates ended (records further apart than Lambda's ${millis(SHARD_POLL_MS)} stream poll cannot share one, and one read's records are spread over the ${ACCEPT_EVENT_SOURCE.parallelizationFactor} concurrent batches by item).`,
      `refused conditional writes: ${dynamo.refused} (counted as 1 WRU each); transactions left unmetered: ${dynamo.unmetered}; stream reads by the triggers are free; not counted: CloudWatch Logs and metrics, Secrets Manager (read once per warm container), the page’s status polls.`,
      `per minute, not per solution: ${periodic}`,
    ],
    data: { onboardings: n, apps: APPS, windowMs, deliveries, acceptBatches, awsMs, measured, minimum, lambda, bill, minBill, graph: callStats(calls), usage: used },
  };
}

/** One onboarding, alone, until every solution is accepted: its solutions' records. */
async function onboard(ctx: BenchContext, accessToken: string): Promise<SolutionRecord[]> {
  const started = performance.now();
  const post = await postOnboarding(ctx.runtime.endpoints.http, accessToken, { retry: false });
  if (!post.onboardingId) throw new Error(`cost: POST answered HTTP ${post.status}`);
  const final = await ctx.watch.waitAllFinal([post.onboardingId], { since: started, pollMs: POLL_MS, deadline: started + TIMEOUT_MS });
  const solutions = final.records.get(post.onboardingId) ?? [];
  if (final.finalAfterMs === undefined || solutions.length === 0 || solutions.some((s) => s.status !== 'ACCEPTED')) {
    throw new Error(`cost: an onboarding ended ${solutions.map((s) => s.status).join(', ') || 'with no record'}`);
  }
  return solutions;
}

function figure(what: string, measured: number, minimum: number, format: (v: number) => string = (v) => fixed(v)): Row {
  return { what, measured: format(measured), reference: `minimum ${format(minimum)}`, ...ratioGoal(measured / minimum, GOAL) };
}

/** The reconciler's pass and the create queue's idle polling, as this run saw them, per minute. */
function periodicCost(used: UsageSnapshot, windowMs: number): string {
  const minutes = windowMs / 60_000;
  const passes = used.functions.reconcile?.invocations ?? 0;
  const reconcileDynamo = serviceTotal(used, 'dynamodb', (caller) => caller === 'reconcile');
  const emptyReceives = used.services.sqs.eventSources?.ReceiveMessage?.empty ?? 0;
  const pass = passes > 0 ? `a reconciler pass ${millis((used.functions.reconcile?.billedMs ?? 0) / passes)} billed, ${fixed(reconcileDynamo.readUnits / passes)} RRU (${passes} pass${passes === 1 ? '' : 'es'} here; deployed once every ${SCHEDULE.reconciler.intervalSeconds} s)` : 'no reconciler pass in the window';
  return `${pass}; the create queue's pollers: ${round(emptyReceives / minutes, 0)} empty receives a minute here (the local source's ${CREATE_EVENT_SOURCE.maxConcurrency} loops long-poll a second at a time, to stop promptly; Lambda's pollers long-poll up to 20 s).`;
}
