import type { HistoryEntry } from './records';

/**
 * One planned write of an item, as data: the condition it must meet and the change it makes. The
 * transition table (solution-transitions.ts) plans every status write this way; a record store applies
 * a move generically, as one conditional write, knowing nothing of statuses (store/ for DynamoDB, the
 * unit tests' in-memory store for the same cases without a database).
 */

/** A path to an attribute: `status`, or a nested one such as `lastError.reason`. */
export type AttributePath = string;
export type ConditionValue = string | number;

/** A condition on an item's attributes; a comparison with a missing attribute is false, as in DynamoDB. */
export type Condition =
  | { op: 'in'; path: AttributePath; values: readonly ConditionValue[] }
  | { op: 'eq'; path: AttributePath; value: ConditionValue }
  /** Less than (`lt`) or at most (`le`): strings compare as strings (ISO 8601 times), numbers as numbers. */
  | { op: 'lt' | 'le'; path: AttributePath; value: ConditionValue }
  | { op: 'absent'; path: AttributePath }
  | { op: 'any' | 'all'; of: readonly Condition[] };

export const when = {
  in: (path: AttributePath, values: readonly ConditionValue[]): Condition => ({ op: 'in', path, values }),
  eq: (path: AttributePath, value: ConditionValue): Condition => ({ op: 'eq', path, value }),
  lt: (path: AttributePath, value: ConditionValue): Condition => ({ op: 'lt', path, value }),
  le: (path: AttributePath, value: ConditionValue): Condition => ({ op: 'le', path, value }),
  absent: (path: AttributePath): Condition => ({ op: 'absent', path }),
  any: (...of: Condition[]): Condition => ({ op: 'any', of }),
  all: (...of: Condition[]): Condition => ({ op: 'all', of }),
};

export interface ItemChange {
  set: Record<string, unknown>;
  /** Set only where the item has none yet. */
  setIfAbsent: Record<string, unknown>;
  /** Added to the attribute (missing counts as 0). */
  add: Record<string, number>;
  remove: string[];
  /** Appended to the item's timeline, which the store keeps within HISTORY_LIMIT entries. */
  history?: HistoryEntry<string>;
}

/**
 * The app's guard (one onboarding at a time creates or holds an app's solution): `take` it for this
 * item's onboarding in the same transaction as the move (refused when another onboarding holds it),
 * or `release` it after the move if this onboarding holds it.
 */
export type AppGuardEffect = 'take' | 'release';

export interface ItemMove {
  /** The transition's name, for errors and logs. */
  transition: string;
  condition: Condition;
  change: ItemChange;
  appGuard?: AppGuardEffect;
  /** Added to the tally its item counts in (a solution's joined clients), all or nothing with the move. */
  tally?: number;
}

/**
 * What applying a move did: `applied`, with the item as it now is; or refused by the item's own
 * condition (it moved on, or a fence or guard did not hold), or by the app's guard (another
 * onboarding holds the app).
 */
export type MoveResult<T> = { applied: true; item: T } | { applied: false; refusedBy: 'item' | 'guard' };

/**
 * A transition asked of an item in a status the table does not let it leave that way: a bug in the
 * caller, refused before any write.
 */
export class TransitionRefusedError extends Error {
  override readonly name = 'TransitionRefusedError';
  constructor(
    readonly transition: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`the status machine has no move ${from} → ${to} (${transition})`);
  }
}
