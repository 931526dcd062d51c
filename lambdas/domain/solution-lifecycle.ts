import { PENDING_DEACTIVATION, SOLUTION_STATUS } from '../graph/graph-client';
import { SCHEDULE } from '../schedule';
import type { RecordStore } from './records/record-store';
import { wholeSecond, type LifecycleSource, type SolutionRecord } from './records';
import { type LiveStatus, type SolutionStatus } from './solution-status';
import { FOLLOWS_LIFECYCLE, stageOf } from './status-sets';

/**
 * A solution's life after the accept (docs/graph-api.md "Webhooks", "Other solution calls"): Meta's
 * `partner_solutions` webhook, a read of the solution when webhooks are silent, or an ops decision
 * on a deactivation request tells where a solution stands on Graph; each record of it follows.
 */

/** Where a solution stands on Graph: its `status`, and for an ACTIVE one whether a deactivation is pending. */
export interface SolutionState {
  /** The webhook's `solution_status` (which names PENDING_DEACTIVATION itself), or the details call's `status`. */
  status: string;
  /** The details call's `status_for_pending_request`; the webhook has none. */
  pendingRequest?: string;
}

/** The record statuses that lifecycle news moves a solution to. */
export type LifecycleStatus = Extract<SolutionStatus, 'ACCEPTED' | 'PENDING_DEACTIVATION' | 'REJECTED' | 'DEACTIVATED'>;

/**
 * What Graph's state means for our records: a lifecycle status; `awaiting-accept` for a solution
 * not yet live (DRAFT, INITIATED: the pipeline's own business until it is accepted); `unknown` for
 * a value Graph does not document (Meta's table also shows `PENDING`).
 */
export function lifecycleStatusOf(state: SolutionState): LifecycleStatus | 'awaiting-accept' | 'unknown' {
  switch (state.status) {
    case SOLUTION_STATUS.draft:
    case SOLUTION_STATUS.initiated:
      return 'awaiting-accept';
    case SOLUTION_STATUS.active:
      return state.pendingRequest === PENDING_DEACTIVATION ? 'PENDING_DEACTIVATION' : 'ACCEPTED';
    case PENDING_DEACTIVATION:
      return 'PENDING_DEACTIVATION';
    case SOLUTION_STATUS.rejected:
      return 'REJECTED';
    case SOLUTION_STATUS.deactivated:
      return 'DEACTIVATED';
    default:
      return 'unknown';
  }
}

/** The status a record takes on news of `to`, or undefined when it no longer follows its solution. */
export function lifecycleTarget(record: Pick<SolutionRecord, 'status' | 'liveStatus'>, to: LifecycleStatus): SolutionStatus | undefined {
  if (!FOLLOWS_LIFECYCLE.has(record.status)) return undefined;
  return to === 'ACCEPTED' ? liveStatusOf(record) : to;
}

/**
 * How the record is live with us when its solution is ACTIVE: EXISTING stays another onboarding's
 * solution, a pending deactivation goes back to what it was, anything else is accepted.
 */
function liveStatusOf(record: Pick<SolutionRecord, 'status' | 'liveStatus'>): LiveStatus {
  if (record.status === 'EXISTING') return 'EXISTING';
  return record.status === 'PENDING_DEACTIVATION' ? (record.liveStatus ?? 'ACCEPTED') : 'ACCEPTED';
}

/** What applying news to given records needs. */
export interface FollowDeps {
  store: Pick<RecordStore, 'getSolution' | 'recordLifecycle'>;
  clock: () => Date;
}

/** What applying news to every record of a solution needs: finding them too. */
export interface LifecycleDeps extends FollowDeps {
  store: FollowDeps['store'] & Pick<RecordStore, 'findBySolutionId'>;
}

/** News of a solution: where it stands on Graph, true at `observedAt`. */
export interface LifecycleNews {
  solutionId: string;
  state: SolutionState;
  observedAt: Date;
  /** Meta's webhook, or a read of the solution (the reconciler's poll, an ops decision). */
  source: LifecycleSource;
}

/** One record that followed the news. `from === to`: only the time of the newest news moved. */
export interface LifecycleChange {
  onboardingId: string;
  appId: string;
  solutionId: string;
  from: SolutionStatus;
  to: SolutionStatus;
}

export type LifecycleOutcome =
  /** Each record of the solution that took the news (none: it was older than what they show, or a duplicate). */
  | { outcome: 'applied'; changes: LifecycleChange[]; stale: number }
  /** No record holds this solution (not ours, or not recorded yet). */
  | { outcome: 'unknown-solution' }
  /** A status Graph does not document: logged and counted, never guessed at. */
  | { outcome: 'unknown-status'; status: string }
  /** DRAFT or INITIATED: not live yet, the accept worker's business. */
  | { outcome: 'awaiting-accept' };

/** A record changed by someone else between its read and its write is read again, this many times at most. */
const MAX_RACES = SCHEDULE.lifecycleRereads;

/**
 * Applies news of a solution to every record holding it, found through the `bySolutionId` index;
 * news that moves no record (an unknown status, a solution not yet accepted) looks nothing up.
 */
export function takeLifecycleNews(news: LifecycleNews, deps: LifecycleDeps): Promise<LifecycleOutcome> {
  return apply(news, () => deps.store.findBySolutionId(news.solutionId), deps);
}

/** Applies news of a solution to the `records` given (a poll of one record). */
export function followLifecycle(records: readonly SolutionRecord[], news: LifecycleNews, deps: FollowDeps): Promise<LifecycleOutcome> {
  return apply(news, async () => records, deps);
}

/** News from a read of the solution (`fields=id,status,status_for_pending_request`) at `observedAt`. */
export function readNews(solutionId: string, state: { status: string; statusForPendingRequest?: string }, observedAt: Date): LifecycleNews {
  return { solutionId, state: { status: state.status, pendingRequest: state.statusForPendingRequest }, observedAt, source: 'read' };
}

/** The records are looked up only for news that moves one. */
async function apply(news: LifecycleNews, recordsOf: () => Promise<readonly SolutionRecord[]>, deps: FollowDeps): Promise<LifecycleOutcome> {
  const to = lifecycleStatusOf(news.state);
  if (to === 'unknown') return { outcome: 'unknown-status', status: news.state.status };
  if (to === 'awaiting-accept') return { outcome: 'awaiting-accept' };
  const records = await recordsOf();
  if (records.length === 0) return { outcome: 'unknown-solution' };
  // Webhook entry times are whole seconds: so are the reads' times, or a read a few milliseconds
  // into a second would hide a change made later in that same second.
  const observedAt = wholeSecond(news.observedAt);
  const changes: LifecycleChange[] = [];
  let stale = 0;
  for (const record of records) {
    const change = await follow(record, to, observedAt, news.source, deps);
    if (change) changes.push({ ...change, solutionId: news.solutionId });
    else stale++;
  }
  return { outcome: 'applied', changes, stale };
}

/**
 * Moves one record to where the news puts it, through a conditional write: only from the status it
 * was read in, and only if the news is newer than the newest the record shows. A record that moved
 * on meanwhile (a worker's accept, other news) is read again and judged anew.
 */
async function follow(record: SolutionRecord, to: LifecycleStatus, observedAt: Date, source: LifecycleNews['source'], deps: FollowDeps): Promise<Omit<LifecycleChange, 'solutionId'> | undefined> {
  let current: SolutionRecord | undefined = record;
  for (let race = 0; current && race < MAX_RACES; race++) {
    const target = lifecycleTarget(current, to);
    if (!target) return undefined;
    const applied = await deps.store.recordLifecycle(current, target, observedAt, deps.clock(), {
      source,
      // Webhook entry times are whole seconds: of two true at the same second, the one further along wins.
      furtherAlong: stageOf(target) > stageOf(current.status),
      ...(target === 'PENDING_DEACTIVATION' ? { liveStatus: liveStatusOf(current) } : {}),
    });
    if (applied) return { onboardingId: current.onboardingId, appId: current.appId, from: current.status, to: target };
    const fresh = await deps.store.getSolution(current.onboardingId, current.appId);
    // Same status: the write was refused for the news' age (older, or a duplicate).
    if (!fresh || fresh.status === current.status) return undefined;
    current = fresh;
  }
  return undefined;
}
