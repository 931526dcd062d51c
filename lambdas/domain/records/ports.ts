import type { Condition, ItemMove, MoveResult } from '../item-move';
import type { GraphErrorDetails } from '../../graph/graph-error';
import type { Onboarding, OnboardingRecord, SolutionRecord, VerificationError } from '../records';
import type { SolutionStatus } from '../solution-status';

/**
 * What the domain needs of a record store, by use case. DynamoDB implements them (store/), and so
 * does the unit tests' in-memory store, which follows the same transition table.
 */

export interface SolutionKey {
  onboardingId: string;
  appId: string;
}

/** Solution items: one read, and one planned move (transition-plan.ts) applied as a single conditional write. */
export interface SolutionItems {
  getSolution(onboardingId: string, appId: string): Promise<SolutionRecord | undefined>;
  applyMove(key: SolutionKey, move: ItemMove): Promise<MoveResult<SolutionRecord>>;
}

/** The app guards: which onboarding creates or holds each Tech Provider app's solution (a move takes one). */
export interface AppGuards {
  holderOf(appId: string): Promise<string | undefined>;
  /** Removes the app's guard if `holderId` still holds it. */
  release(appId: string, holderId: string): Promise<void>;
}

/**
 * An onboarding and its solution items are written at once: DynamoDB allows 100 items per
 * transaction, the token guard, the onboarding and one item per app.
 */
export const MAX_APPS_PER_ONBOARDING = 98;

/** Onboardings, and what the status view reads. */
export interface OnboardingRecords {
  findOnboardingIdByFingerprint(fingerprint: string): Promise<string | undefined>;
  /** Writes the onboarding and its solution items at once; `duplicate` when the same token already started one. */
  createOnboarding(onboarding: Onboarding): Promise<'created' | 'duplicate'>;
  getOnboarding(onboardingId: string): Promise<Onboarding | undefined>;
  /**
   * Its messages were all sent. `verifying`: the verify message was, and only a VERIFYING onboarding
   * notes it (a check done meanwhile has its create messages to send).
   */
  markEnqueued(onboardingId: string, at: Date, verifying?: boolean): Promise<void>;
  /**
   * A VERIFYING onboarding checked: its record as verified (no `status` any more, its apps) and its
   * solution items, written at once and only while it is still VERIFYING (false otherwise: a
   * redelivered verify message writes nothing twice). `enqueuedAt` goes: the create messages are next.
   */
  completeVerification(onboarding: Onboarding): Promise<boolean>;
  /**
   * A VERIFY_FAILED onboarding whose token was posted again is checked again: VERIFYING until
   * `verifyBy`, its error and `enqueuedAt` gone (its verify message is sent next); false when it was
   * no longer VERIFY_FAILED.
   */
  reopenVerification(onboardingId: string, verifyBy: string, now: Date): Promise<boolean>;
  /** A VERIFYING onboarding ends VERIFY_FAILED with `error`; false when it was no longer VERIFYING. */
  failVerification(onboardingId: string, error: VerificationError, now: Date): Promise<boolean>;
  /** A VERIFYING onboarding's verify message comes back at `at`, after `error`: noted for ops and the reconciler. */
  recordVerifyWaiting(onboardingId: string, at: Date, error: GraphErrorDetails | undefined, now: Date): Promise<void>;
  /** VERIFYING onboardings whose token's lifetime ended by `lifetimeOverBy`, oldest change first (the `byStatus` index), at most `limit`. */
  findVerifyingPast(lifetimeOverBy: Date, limit: number): Promise<OnboardingRecord[]>;
}

/** Change times (ISO 8601) bounding a status query, both ends included. */
export type StatusWindow = { since?: string | undefined; until?: string | undefined };

/** Solution items found by app, solution or status: the reconciler, lifecycle news, ops and the bench. */
export interface SolutionQueries {
  findByAppId(appId: string): Promise<SolutionRecord[]>;
  findBySolutionId(solutionId: string): Promise<SolutionRecord[]>;
  /**
   * In `status`, oldest change first, changed before `updatedBefore`, filtered by `filter` (a condition
   * on other attributes): at most `limit` items from at most `maxPages` pages of `pageSize`, so that a
   * pass over a large backlog stays bounded.
   */
  findByStatus(status: SolutionStatus, opts: { filter?: Condition; updatedBefore?: Date; limit: number; maxPages?: number; pageSize?: number }): Promise<SolutionRecord[]>;
  /** In `status`, newest change first, changed within the window; page by page, as far as the reader goes. */
  newestInStatus(status: SolutionStatus, window: StatusWindow, pageSize: number): AsyncGenerator<SolutionRecord>;
  /** How many in `status` changed since `since` (all when absent). */
  countInStatus(status: SolutionStatus, since?: string): Promise<number>;
}
