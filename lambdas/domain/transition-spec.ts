import type { HistoryEntry, SolutionRecord } from './records';
import type { FailureReason, SolutionStatus } from './solution-status';

/**
 * The shape of a transition table's entries and of the requests they take: the solutions' table
 * (solution-transitions.ts) today. Statuses are a type parameter, so that another item's status
 * machine (the clients of a solution, next) is a table of the same shape that the same planner and
 * stores apply.
 */

/** Attributes of a solution item a transition may write. */
export type ItemAttribute = keyof SolutionRecord;

/**
 * A guard: a condition beyond the status that must hold on the item when the write lands.
 * - `unclaimed`: no create attempt holds it (no lease, or its lease ran out);
 * - `createAttempt` / `acceptAttempt`: it is still this attempt's (the attempt number fences a claim:
 *   a stale attempt, whose lease ran out and another took over, can no longer write);
 * - `acceptDue`: an accept attempt may start (the stream's first, or a due retry, or one the stream missed);
 * - `shareAttempt`: it is still this credit-sharing attempt's (a client's, as `acceptAttempt`);
 * - `leftBefore`: the client left before `observedAt` (news of its joining again is newer than its leaving);
 * - `newerNews`: the news is newer than the newest the record shows (same second: see `sameSecond`);
 * - `nextAttemptSeen`, `updatedAtSeen`, `attemptsSeen`: the item is as it was read;
 * - `failedFor`: its last error is the pipeline's conclusion `failedFor`.
 */
export type GuardName = 'unclaimed' | 'createAttempt' | 'acceptAttempt' | 'acceptDue' | 'shareAttempt' | 'leftBefore' | 'newerNews' | 'nextAttemptSeen' | 'updatedAtSeen' | 'attemptsSeen' | 'failedFor';

/** Whether lifecycle news of the same second as the record's may replace it. */
export type SameSecond = 'always' | 'unless-read' | 'never';

/** What a transition request may carry; each guard reads its own fields (a missing one is a bug, and throws). */
export interface TransitionRequest<S extends string = SolutionStatus> {
  now: Date;
  /** The status the caller read the item in, when it did: the table checks the move before any write. */
  from?: S;
  /** Where it goes, when the transition may lead to several statuses. */
  to?: S;
  /** Only from these of the statuses the transition may start from (the caller's narrower case). */
  within?: readonly S[];
  /** The attempt that writes (`createAttempt`, `acceptAttempt`, `shareAttempt`). */
  attempt?: number;
  /** `acceptDue`: the stream's first attempt, or a retry (then `handoffBefore`: untouched since before it counts as due). */
  first?: boolean;
  handoffBefore?: Date;
  /** `newerNews`, `leftBefore`. */
  observedAt?: Date;
  sameSecond?: SameSecond;
  /** `nextAttemptSeen`: the next attempt time read, or null when it had none. */
  seenNextAttemptAt?: string | null;
  /** `updatedAtSeen`, and (optional) the latest change time it may show. */
  seenUpdatedAt?: string;
  changedBy?: string;
  /** `attemptsSeen`. */
  seenAttempts?: number;
  /** `failedFor`. */
  failedFor?: FailureReason;
}

/** What a transition adds to the timeline beyond its status and time. */
export type TimelineDetail = Omit<HistoryEntry, 'at' | 'status' | 'by'> & { by?: HistoryEntry['by'] };

/** The values one write gives its attributes; `keep`: attributes of `clears` this write leaves as they are. */
export interface TransitionValues<A extends string = ItemAttribute> {
  set?: Partial<Record<A, unknown>>;
  setIfAbsent?: Partial<Record<A, unknown>>;
  add?: Partial<Record<A, number>>;
  keep?: readonly A[];
}

/** `A`: the attributes of the item a transition may write (a solution item's by default). */
export interface TransitionSpec<S extends string = SolutionStatus, P extends TransitionRequest<S> = TransitionRequest<S>, A extends string = ItemAttribute> {
  /** From each status it may start in, the statuses it may lead to. */
  moves: Readonly<Partial<Record<S, readonly S[]>>>;
  guards: readonly GuardName[];
  /** Every attribute it may write, besides `status` and `updatedAt`. */
  sets: readonly A[];
  /** Attributes it removes, unless it sets or keeps them this time. */
  clears: readonly A[];
  /** It moves `updatedAt` (the `byStatus` index's sort key); notes about deliveries do not. */
  touchesUpdatedAt: boolean;
  appGuard?: 'take' | 'release';
  /** What the move adds to its item's owner's tally, in the same write (a client leaving its solution's count of joined clients). */
  tally?: number;
  values: (request: P) => TransitionValues<A>;
  /** The timeline entry, or false for none (a claim, a note about deliveries, news that only confirms). */
  timeline: (request: P, to: S) => TimelineDetail | false;
}
