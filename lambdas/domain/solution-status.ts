import { SCHEDULE } from '../schedule';
import type { SolutionRecord } from './records';

/**
 * The solution status machine (DESIGN.md §3), in one place: the statuses, the moves between them,
 * the sets the pipeline decides by, and what an onboarding's statuses add up to. The store applies
 * each move as one conditional write (store/onboarding-store.ts) and refuses any move not listed here.
 *
 * PENDING → CREATING → CREATED → ACCEPTED, failures CREATE_FAILED / ACCEPT_FAILED, EXISTING when
 * the app already has a live solution with us. After the accept, Meta's lifecycle news (the
 * partner_solutions webhook, or a read when it is silent) moves a solution on to REJECTED,
 * PENDING_DEACTIVATION (and back when the request is declined) or DEACTIVATED:
 * domain/solution-lifecycle.ts. Ops may retry a failed one (domain/retry-solution.ts).
 */
export const SOLUTION_STATUSES = [
  'PENDING',
  'CREATING',
  'CREATED',
  'ACCEPTED',
  'CREATE_FAILED',
  'ACCEPT_FAILED',
  'EXISTING',
  'REJECTED',
  'PENDING_DEACTIVATION',
  'DEACTIVATED',
] as const;
export type SolutionStatus = (typeof SOLUTION_STATUSES)[number];

/** Where lifecycle news may take a solution that is, or may since have been, accepted on Graph. */
const AFTER_ACCEPT = ['ACCEPTED', 'PENDING_DEACTIVATION', 'REJECTED', 'DEACTIVATED'] as const;
/** The app's live solution, found on Graph or held by another onboarding: as it is, or with a deactivation pending. */
const FOUND_LIVE = ['EXISTING', 'PENDING_DEACTIVATION'] as const;

/**
 * Every move a solution item can make to another status (a write that keeps its status, such as a
 * retry noted or news that confirms it, is always allowed). REJECTED and DEACTIVATED are final.
 */
export const SOLUTION_MOVES: Readonly<Record<SolutionStatus, readonly SolutionStatus[]>> = {
  // Claimed; found live (on Graph, or another onboarding's); never created (its message gone).
  PENDING: ['CREATING', ...FOUND_LIVE, 'CREATE_FAILED'],
  CREATING: ['CREATED', ...FOUND_LIVE, 'CREATE_FAILED'],
  CREATED: [...AFTER_ACCEPT, 'ACCEPT_FAILED'],
  // Someone may accept it on Graph after all; or ops retry the accept.
  ACCEPT_FAILED: [...AFTER_ACCEPT, 'CREATED'],
  // Ops retry a create the reconciler abandoned.
  CREATE_FAILED: ['PENDING'],
  ACCEPTED: ['PENDING_DEACTIVATION', 'REJECTED', 'DEACTIVATED'],
  EXISTING: ['PENDING_DEACTIVATION', 'REJECTED', 'DEACTIVATED'],
  // Declined: back to how it was live; or decided.
  PENDING_DEACTIVATION: ['ACCEPTED', 'EXISTING', 'REJECTED', 'DEACTIVATED'],
  REJECTED: [],
  DEACTIVATED: [],
};

export function canMove(from: SolutionStatus, to: SolutionStatus): boolean {
  return from === to || SOLUTION_MOVES[from].includes(to);
}

/** Statuses still on their way to a solution: a create message (or the reconciler) moves them on. */
export const UNDER_WAY: ReadonlySet<SolutionStatus> = new Set(['PENDING', 'CREATING']);
/**
 * Statuses whose solution is live with us on Graph for its app: a new one would be a duplicate. A
 * solution whose deactivation was requested still onboards customers until that is decided.
 */
export const LIVE: ReadonlySet<SolutionStatus> = new Set(['ACCEPTED', 'EXISTING', 'PENDING_DEACTIVATION']);
/** Statuses of an app's holder still on its way: being created, or created and awaiting our accept. */
export const UNSETTLED: ReadonlySet<SolutionStatus> = new Set(['PENDING', 'CREATING', 'CREATED']);

/** A solution live with us: accepted by this onboarding, or another's found for this app. */
export type LiveStatus = Extract<SolutionStatus, 'ACCEPTED' | 'EXISTING'>;

/** How a found live solution is recorded: EXISTING, or PENDING_DEACTIVATION if its owner asked to deactivate it. */
export function foundLiveStatus(deactivationPending: boolean): SolutionStatus {
  return deactivationPending ? 'PENDING_DEACTIVATION' : 'EXISTING';
}

/** How long until `holder` (an item under way, or the app's holder) may have moved on: soon, and at the latest when its create lease ends. */
export function busyRetryInMs(holder: Pick<SolutionRecord, 'status' | 'leaseExpiresAt'> | undefined, now: Date): number {
  const leaseLeft = (holder?.leaseExpiresAt ?? 0) - now.getTime();
  return holder?.status === 'CREATING' && leaseLeft > 0 ? Math.min(leaseLeft, SCHEDULE.busyRetryMs) : SCHEDULE.busyRetryMs;
}

/**
 * What the pipeline itself concluded about a solution, beside Graph's last error; the page explains each:
 * - `CREATE_ABANDONED`: the create could not finish and the Tech Provider's login is no longer within
 *   our reach (its message was used up or lost): the Tech Provider runs the flow again.
 * - `RETRY_PERIOD_OVER`: Graph kept failing the accept for the whole retry period.
 * - `AMBIGUOUS_ON_GRAPH`: Graph lists the solution's (unique) name more than once, or on another
 *   app's solution: nothing was adopted or accepted, and support looks at it.
 * - `SOLUTION_MISMATCH`: read before the accept, the solution was not the one we asked for (its
 *   `differences` say how): it was not accepted, since an accept cannot be undone.
 */
export const FAILURE_REASONS = ['CREATE_ABANDONED', 'RETRY_PERIOD_OVER', 'AMBIGUOUS_ON_GRAPH', 'SOLUTION_MISMATCH'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export type OnboardingStatus = 'IN_PROGRESS' | 'COMPLETED' | 'PARTIAL' | 'FAILED';

/** What an onboarding counts as not ready: a pending deactivation too, since the solution is on its way out. */
const FAILED: ReadonlySet<SolutionStatus> = new Set(['CREATE_FAILED', 'ACCEPT_FAILED', 'REJECTED', 'PENDING_DEACTIVATION', 'DEACTIVATED']);
const SUCCEEDED: ReadonlySet<SolutionStatus> = new Set(['ACCEPTED', 'EXISTING']);

/** Derived, never stored: it changes with every solution item. */
export function onboardingStatus(solutions: readonly Pick<SolutionRecord, 'status'>[]): OnboardingStatus {
  const failed = solutions.filter((s) => FAILED.has(s.status)).length;
  const succeeded = solutions.filter((s) => SUCCEEDED.has(s.status)).length;
  if (failed + succeeded < solutions.length) return 'IN_PROGRESS';
  if (failed === 0) return 'COMPLETED';
  return succeeded === 0 ? 'FAILED' : 'PARTIAL';
}
