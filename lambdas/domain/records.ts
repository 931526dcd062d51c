import type { GraphErrorDetails } from '../graph/graph-error';

/**
 * Solution status machine (DESIGN.md §3): PENDING → CREATING → CREATED → ACCEPTED, failures
 * CREATE_FAILED / ACCEPT_FAILED, EXISTING when the app already has a live solution with us.
 * Meta's partner_solutions webhook may later move a solution to REJECTED, PENDING_DEACTIVATION or
 * DEACTIVATED; those are part of the type so the store and the views already handle them.
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

export type OnboardingStatus = 'IN_PROGRESS' | 'COMPLETED' | 'PARTIAL' | 'FAILED';

/** Statuses still on their way to a solution: a create message (or the reconciler) moves them on. */
export const UNDER_WAY: ReadonlySet<SolutionStatus> = new Set(['PENDING', 'CREATING']);
/** Statuses whose solution is live with us on Graph for its app: a new one would be a duplicate. */
export const LIVE: ReadonlySet<SolutionStatus> = new Set(['ACCEPTED', 'EXISTING']);
/** Statuses of an app's holder still on its way: being created, or created and awaiting our accept. */
export const UNSETTLED: ReadonlySet<SolutionStatus> = new Set(['PENDING', 'CREATING', 'CREATED']);

const FAILED: ReadonlySet<SolutionStatus> = new Set(['CREATE_FAILED', 'ACCEPT_FAILED', 'REJECTED', 'PENDING_DEACTIVATION', 'DEACTIVATED']);
const SUCCEEDED: ReadonlySet<SolutionStatus> = new Set(['ACCEPTED', 'EXISTING']);

export interface OnboardingRecord {
  onboardingId: string;
  techProviderUserId?: string;
  apps: { appId: string; name: string }[];
  /** Keyed hash of the TP token: lets a repeated POST find its onboarding. Never the token. */
  tokenFingerprint: string;
  /** Unix seconds, from debug_token; 0 when the token does not expire. */
  tokenExpiresAt?: number;
  /** Set once every create message was accepted by SQS; absent means a repeated POST re-sends. */
  enqueuedAt?: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * What the pipeline itself concluded about a solution, beside Graph's last error; the page explains each:
 * - `CREATE_ABANDONED`: the create could not finish and the Tech Provider's login is no longer within
 *   our reach (its message was used up or lost): the Tech Provider runs the flow again.
 * - `RETRY_PERIOD_OVER`: Graph kept failing the accept for the whole retry period.
 * - `AMBIGUOUS_ON_GRAPH`: Graph lists the solution's (unique) name more than once, or on another
 *   app's solution: nothing was adopted or accepted, and support looks at it.
 */
export type FailureReason = 'CREATE_ABANDONED' | 'RETRY_PERIOD_OVER' | 'AMBIGUOUS_ON_GRAPH';

/** Graph's error as the record keeps it, with the pipeline's own conclusion when there is one. */
export interface RecordedError extends GraphErrorDetails {
  reason?: FailureReason;
}

export interface SolutionRecord {
  onboardingId: string;
  appId: string;
  appName: string;
  solutionName: string;
  status: SolutionStatus;
  solutionId?: string;
  /** Create attempts; each claim adds one, and the number fences that attempt's writes. */
  attempts: number;
  /** Accept attempts, once CREATED. */
  acceptAttempts?: number;
  lastError?: RecordedError;
  /**
   * The latest time by which some attempt at the current step will have started, if the one under
   * way (or the delivery that carries it) does not finish first. Absent on an unsettled item when no
   * attempt is coming any more: the reconciler's cue. ISO 8601, so that it compares as a string.
   */
  nextAttemptAt?: string;
  /** Epoch ms until which the current create attempt holds the item (or after which the next may start). */
  leaseExpiresAt?: number;
  /** Until when a failing accept is retried before ACCEPT_FAILED (set by its first attempt). */
  acceptRetryUntil?: string;
  createdAt: string;
  updatedAt: string;
}

export interface Onboarding {
  onboarding: OnboardingRecord;
  solutions: SolutionRecord[];
}

/** Derived, never stored: it changes with every solution item. */
export function onboardingStatus(solutions: readonly SolutionRecord[]): OnboardingStatus {
  const failed = solutions.filter((s) => FAILED.has(s.status)).length;
  const succeeded = solutions.filter((s) => SUCCEEDED.has(s.status)).length;
  if (failed + succeeded < solutions.length) return 'IN_PROGRESS';
  if (failed === 0) return 'COMPLETED';
  return succeeded === 0 ? 'FAILED' : 'PARTIAL';
}
