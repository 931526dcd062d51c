import type { ClientRecord } from '../../lambdas/domain/clients/client-record';
import type { SolutionRecord } from '../../lambdas/domain/records';
import type { SolutionStatus } from '../../lambdas/domain/solution-status';
import { retrySolution, type ParkedCreates, type RetryOutcome, type RetrySolutionDeps } from '../../lambdas/domain/retry-solution';
import type { RecordId } from '../args';
import { asOpsError, EXIT } from '../ops-error';
import { ParkedCreateMessages } from '../parked-messages';
import { table, type CommandResult } from '../format';
import type { OpsTarget } from '../target';
import { clientRetried, clientRetryLines, retryClients, type RetriedClient } from './retry-clients';
import { findById } from './show';

/** What `retry <onboardingId|appId>` picks from the onboarding's or app's items: what a retry may move on. */
const RETRIED_FROM_GROUPS: ReadonlySet<SolutionStatus> = new Set(['ACCEPT_FAILED', 'CREATE_FAILED', 'CREATED']);

export interface RetryRequest {
  ids: RecordId[];
  statuses?: SolutionStatus[];
  limit: number;
  dryRun: boolean;
}

export interface RetriedItem {
  onboardingId: string;
  appId: string;
  solutionId?: string;
  status: SolutionStatus;
  /** `failed`: the retry itself failed (the table, the queue); items before it keep what they got. */
  result: RetryOutcome | { outcome: 'failed'; message: string };
}

/**
 * The items a request names: a solution ID's holders whatever their status; an onboarding's or app's
 * items that a retry may move on; or the items in `statuses`. A WABA ID names its client records.
 */
async function candidates(target: OpsTarget, request: RetryRequest): Promise<{ solutions: SolutionRecord[]; clients: ClientRecord[] }> {
  const items = new Map<string, SolutionRecord>();
  const clients = new Map<string, ClientRecord>();
  const add = (s: SolutionRecord) => items.set(`${s.onboardingId}/${s.appId}`, s);
  for (const id of request.ids) {
    const found = await findById(target, id);
    if (found.kind === 'waba') {
      for (const c of found.clients) clients.set(`${c.solutionId}/${c.wabaId}`, c);
      continue;
    }
    for (const s of found.onboardings.flatMap((o) => o.solutions)) {
      if (found.kind === 'solution' ? s.solutionId === found.id : RETRIED_FROM_GROUPS.has(s.status) && (found.kind === 'onboarding' || s.appId === found.id)) add(s);
    }
  }
  // Oldest change first: the ones stuck longest come before `--limit` cuts the list.
  for (const status of request.statuses ?? []) for (const s of await target.store.findByStatus(status, { limit: request.limit, maxPages: 1_000 })) add(s);
  return { solutions: [...items.values()], clients: [...clients.values()] };
}

/** With `--dry-run`, what each retry would do: the same rule, with writes that change nothing (the app's guard is read as the reopening would find it). */
function dryRunDeps(deps: RetrySolutionDeps, store: OpsTarget['store']): RetrySolutionDeps {
  const yes = async () => true;
  const reopenAccept = async (onboardingId: string, appId: string) => {
    const { holderId } = await store.appGuardHolder(appId);
    return holderId && holderId !== onboardingId ? ('app-taken' as const) : ('reopened' as const);
  };
  return {
    ...deps,
    store: { reopenAccept, hurryAccept: yes, reopenCreate: yes, getOnboarding: (id) => store.getOnboarding(id) },
    parkedCreates: { has: (item) => deps.parkedCreates.has(item), requeue: async () => undefined },
  };
}

const NO_DLQ: ParkedCreates = { has: () => false, requeue: () => Promise.reject(new Error('no create DLQ known')) };

export function retryDeps(target: OpsTarget, parkedCreates: ParkedCreates, clock: () => Date, dryRun: boolean): RetrySolutionDeps {
  const settings = { redeliveryMs: target.config.createRedeliveryMs, acceptLeaseMs: target.config.acceptLeaseMs };
  const deps: RetrySolutionDeps = { store: target.store, parkedCreates, settings, clock };
  return dryRun ? dryRunDeps(deps, target.store) : deps;
}

export function outcomeText(result: RetriedItem['result'], dryRun: boolean): string {
  const would = dryRun ? 'would be ' : '';
  switch (result.outcome) {
    case 'failed':
      return `failed: ${result.message}`;
    case 'accept-retried':
      return result.via === 'stream' ? `accept ${would}retried: CREATED again, the stream hands it to the accept worker` : `accept ${would}due now: the reconciler's next pass accepts it`;
    case 'create-retried':
      return `create ${would}retried: PENDING again, its message back on the create queue`;
    case 'moved-on':
      return 'not retried: it changed meanwhile (show it again)';
    case 'not-retried':
      return `not retried: ${result.message}`;
  }
}

/** One item's retry; a failure of the table or queue is that item's, and the next ones still go. */
async function retryOne(record: SolutionRecord, deps: RetrySolutionDeps): Promise<RetriedItem['result']> {
  try {
    return await retrySolution(record, deps);
  } catch (error) {
    return { outcome: 'failed', message: asOpsError(error, 'this item').message };
  }
}

/**
 * `retry`: each item through the pipeline's own retry rule (domain/retry-solution.ts). The create DLQ
 * is read only when a create may be retried, and the messages not used are shown to other readers
 * again at once.
 */
export async function retryCommand(target: OpsTarget, request: RetryRequest, clock: () => Date): Promise<CommandResult> {
  const { solutions: items, clients } = await candidates(target, request);
  const mayRecreate = items.some((s) => s.status === 'CREATE_FAILED' && s.lastError?.reason === 'CREATE_ABANDONED');
  const { create, createDlq } = target.queues;
  const parked = mayRecreate && create && createDlq ? await ParkedCreateMessages.take(target.sqs, { create, createDlq }) : undefined;
  const results: RetriedItem[] = [];
  try {
    const deps = retryDeps(target, parked ?? NO_DLQ, clock, request.dryRun);
    for (const s of items) {
      results.push({ onboardingId: s.onboardingId, appId: s.appId, ...(s.solutionId ? { solutionId: s.solutionId } : {}), status: s.status, result: await retryOne(s, deps) });
    }
  } finally {
    await parked?.release();
  }
  const clientResults: RetriedClient[] = await retryClients(clients, target.clients, clock, request.dryRun);

  const retried = results.filter((r) => r.result.outcome === 'accept-retried' || r.result.outcome === 'create-retried').length + clientResults.filter(clientRetried).length;
  const total = results.length + clientResults.length;
  const lines: string[] = [];
  if (results.length > 0) {
    lines.push(
      ...table(
        ['ONBOARDING', 'APP', 'SOLUTION', 'WAS', 'RESULT'],
        results.map((r) => [r.onboardingId, r.appId, r.solutionId ?? '-', r.status, outcomeText(r.result, request.dryRun)]),
      ),
    );
  }
  if (clientResults.length > 0) lines.push(...(lines.length ? [''] : []), ...clientRetryLines(clientResults, request.dryRun));
  if (total === 0) lines.push(request.ids.length ? 'Nothing to retry: no failed or waiting solution there.' : `No solutions are ${request.statuses?.join(' or ')}.`);
  else lines.push('', `${retried} of ${total} ${request.dryRun ? 'would be ' : ''}retried.`);
  if (mayRecreate && !parked) lines.push('The create DLQ is not known here (give --dlq and --queue with --table): abandoned creates cannot be retried.');
  const everyOne = total > 0 ? retried === total : request.ids.length === 0;
  return { data: { dryRun: request.dryRun, results, ...(clientResults.length ? { clients: clientResults } : {}) }, lines, exitCode: everyOne ? EXIT.ok : EXIT.partly };
}
