/**
 * The solution statuses and what each one means, the first half of the status machine
 * (docs/design.md §3); the moves between them are the transition table (solution-transitions.ts),
 * and every set the pipeline decides by is derived from the two (status-sets.ts).
 *
 * PENDING → CREATING → CREATED → ACCEPTED, failures CREATE_FAILED / ACCEPT_FAILED, EXISTING when
 * the app already has a live solution with us. After the accept, Meta's lifecycle news (the
 * partner_solutions webhook, or a read when it is silent) moves a solution on to REJECTED,
 * PENDING_DEACTIVATION (and back when the request is declined) or DEACTIVATED.
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

/**
 * Where a status leaves the Tech Provider, which the onboarding's status and the page's tone follow:
 * `working` still on its way; `ready` a solution ID it can use; `failed` none it can use; `ending`
 * usable until Meta decides a deactivation its owner asked for.
 */
export type StatusOutcome = 'working' | 'ready' | 'failed' | 'ending';

export interface StatusFacts {
  outcome: StatusOutcome;
  /** The solution is live with us on Graph for its app: a second one would be a duplicate, and Meta may change its life at any time. */
  live: boolean;
  /**
   * How far along its life after the create a status is (lifecycle news of the same second: the one
   * further along wins); absent before a solution exists.
   */
  stage?: number;
}

export const SOLUTION_STATUS_FACTS: Readonly<Record<SolutionStatus, StatusFacts>> = {
  PENDING: { outcome: 'working', live: false },
  CREATING: { outcome: 'working', live: false },
  CREATED: { outcome: 'working', live: false, stage: 0 },
  ACCEPTED: { outcome: 'ready', live: true, stage: 1 },
  EXISTING: { outcome: 'ready', live: true, stage: 1 },
  CREATE_FAILED: { outcome: 'failed', live: false },
  ACCEPT_FAILED: { outcome: 'failed', live: false, stage: 0 },
  // Declined on Graph: final.
  REJECTED: { outcome: 'failed', live: false, stage: 3 },
  // A solution whose deactivation was requested still onboards customers until that is decided.
  PENDING_DEACTIVATION: { outcome: 'ending', live: true, stage: 2 },
  DEACTIVATED: { outcome: 'failed', live: false, stage: 3 },
};

/** A solution live with us: accepted by this onboarding, or another's found for this app. */
export type LiveStatus = Extract<SolutionStatus, 'ACCEPTED' | 'EXISTING'>;

/** How a found live solution is recorded: EXISTING, or PENDING_DEACTIVATION if its owner asked to deactivate it. */
export function foundLiveStatus(deactivationPending: boolean): SolutionStatus {
  return deactivationPending ? 'PENDING_DEACTIVATION' : 'EXISTING';
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

/** `VERIFYING`: the token's check and the app listing wait for Graph (no solutions yet); see records.ts `VerificationStatus`. */
export type OnboardingStatus = 'VERIFYING' | 'IN_PROGRESS' | 'COMPLETED' | 'PARTIAL' | 'FAILED';

/**
 * Derived, never stored: it changes with every solution item. A pending deactivation counts as not
 * ready, since the solution is on its way out.
 */
export function onboardingStatus(solutions: readonly { status: SolutionStatus }[]): OnboardingStatus {
  const outcomes = solutions.map((s) => SOLUTION_STATUS_FACTS[s.status].outcome);
  const succeeded = outcomes.filter((o) => o === 'ready').length;
  const failed = outcomes.filter((o) => o === 'failed' || o === 'ending').length;
  if (failed + succeeded < solutions.length) return 'IN_PROGRESS';
  if (failed === 0) return 'COMPLETED';
  return succeeded === 0 ? 'FAILED' : 'PARTIAL';
}
