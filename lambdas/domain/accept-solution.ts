import { SOLUTION_STATUS, type GraphClient, type SolutionDetails } from '../graph/graph-client';
import { GraphError, unexpectedAnswerGraphError } from '../graph/graph-error';
import type { RetryPolicy } from '../schedule';
import type { RecordStore } from './records/record-store';
import type { RecordedError, SolutionDifference, SolutionRecord } from './records';
import type { SolutionStatus } from './solution-status';
import { askOf, retryDelaySeconds } from './retry-policy';
import { acceptedBy, describeDifferences, solutionDifferences, statusDifference } from './solution-check';
import { wakeWhenDue, type Wake } from './wake';

export interface AcceptSolutionDeps {
  store: Pick<RecordStore, 'claimForAccept' | 'getSolution' | 'recordAccepted' | 'recordAcceptFailed' | 'recordAcceptRetry'>;
  graph: Pick<GraphClient, 'acceptSolution' | 'getSolution' | 'rejectSolution'>;
  settings: {
    /** Our Solution Partner app: the one we accept as. */
    partnerAppId: string;
    /** The permissions each side was created with (the check before accepting compares them). */
    ownerPermissions: readonly string[];
    partnerPermissions: readonly string[];
    /** Decline on Graph (`POST /{id}/reject`) a solution that is not the one we asked for. */
    rejectMismatched: boolean;
    /** How long one attempt holds the item before another may take over: the longest run of a function that accepts. */
    acceptLeaseMs: number;
    /** How long a failing accept is retried before ACCEPT_FAILED, from its first attempt. */
    retryPeriodMs: number;
    /** The schedule's accept backoff (schedule.ts): when the next attempt comes after a retryable Graph error. */
    backoff: RetryPolicy;
  };
  /** The Solution Partner's system-user token, from a cached secret. */
  systemUserToken: () => Promise<string>;
  /** Wakes the item when its scheduled retry is due (best effort: the reconciler is the net). */
  wake: Wake<{ onboardingId: string; appId: string }>;
  clock: () => Date;
  random?: () => number;
}

/**
 * Who asks: the stream, for the solution that just became CREATED (its first attempt), or, for one
 * whose next attempt is due, its wake-up or the reconciler (`handoffBefore`: a solution no attempt
 * has touched since before then counts as due too).
 */
export type AcceptTrigger = { kind: 'stream' } | { kind: 'due'; handoffBefore: Date };

export type AcceptSolutionOutcome =
  /** `differences`: our accept was already in, yet the solution is not what this record asked for (worth a look). */
  | { outcome: 'accepted'; alreadyAccepted: boolean; attempt: number; differences?: SolutionDifference[] }
  /** `gaveUp`: retried for the whole retry period; otherwise Graph refused for good. */
  | { outcome: 'failed'; error: RecordedError; gaveUp: boolean; attempt: number }
  /**
   * Not the solution we asked for (`error.differences`): not accepted. `declined`: whether it was
   * rejected on Graph (only when configured to, and only while it awaited our answer).
   */
  | { outcome: 'mismatch'; error: RecordedError; attempt: number; declined?: { ok: true } | { ok: false; error: RecordedError } }
  /** Failed for now; the next attempt is due at `nextAttemptAt`, woken then (`wakeFailed`: its wake-up could not be sent). */
  | { outcome: 'retrying'; error: RecordedError; attempt: number; nextAttemptAt: string; wakeFailed?: string }
  | { outcome: 'skipped'; status: SolutionStatus | 'MISSING' };

/** Graph's refusal of an accept because the solution is no longer INITIATED. */
const NOT_INITIATED_SUBCODE = 2207051;

/**
 * Accepts a CREATED solution, as our app, with the system-user token, once in effect: the attempt
 * first claims the item (a duplicate stream record, or a solution another attempt holds, does
 * nothing). An accept cannot be undone, so the solution is read first and accepted only if it is
 * what the record asked for (solution-check.ts); otherwise it ends ACCEPT_FAILED with
 * `SOLUTION_MISMATCH` naming each difference, and is declined on Graph if so configured. A
 * solution that shows our accept already in (an earlier attempt's, its answer lost) is recorded
 * ACCEPTED. When Graph refuses the accept, the solution is read again the same way.
 * A transient or throttled failure is scheduled on the record for a later attempt, with capped
 * exponential backoff and jitter, no sooner than Graph asks, for the whole retry period, and woken
 * when due; then, or on a permanent refusal, the solution ends ACCEPT_FAILED with Graph's error kept.
 */
export async function acceptSolution(item: { onboardingId: string; appId: string }, deps: AcceptSolutionDeps, trigger: AcceptTrigger): Promise<AcceptSolutionOutcome> {
  const claim = await deps.store.claimForAccept(item.onboardingId, item.appId, deps.clock(), {
    first: trigger.kind === 'stream',
    leaseMs: deps.settings.acceptLeaseMs,
    retryPeriodMs: deps.settings.retryPeriodMs,
    handoffBefore: trigger.kind === 'due' ? trigger.handoffBefore : undefined,
  });
  if (!claim?.record.solutionId) {
    const current = claim?.record ?? (await deps.store.getSolution(item.onboardingId, item.appId));
    return { outcome: 'skipped', status: current?.status ?? 'MISSING' };
  }
  const { record, attempt } = claim;
  const solutionId = record.solutionId!;

  const token = await deps.systemUserToken();
  try {
    const solution = await deps.graph.getSolution(solutionId, token);
    const us = solution.partners.find((p) => p.appId === deps.settings.partnerAppId);
    if (us && us.permissions === undefined) throw unexpectedAnswerGraphError(`Graph answered GET solution ${solutionId} without our partner_permissions`);
    const differences = solutionDifferences(solution, {
      ownerAppId: record.appId,
      partnerAppId: deps.settings.partnerAppId,
      name: record.solutionName,
      ownerPermissions: deps.settings.ownerPermissions,
      partnerPermissions: deps.settings.partnerPermissions,
    });
    // Our accept is in already (an earlier attempt's, its answer lost): it cannot be undone, so the
    // record says so, whatever the solution looks like.
    if (acceptedBy(solution, deps.settings.partnerAppId)) {
      if (!(await deps.store.recordAccepted(item.onboardingId, item.appId, deps.clock(), attempt))) return movedOn(item, deps);
      return { outcome: 'accepted', alreadyAccepted: true, attempt, ...(differences.length > 0 ? { differences } : {}) };
    }
    differences.push(...statusDifference(solution));
    if (differences.length > 0) return refuseMismatch(record, attempt, solution, differences, token, deps);
    const confirmed = await acceptOrConfirm(solutionId, token, deps);
    if (!(await deps.store.recordAccepted(item.onboardingId, item.appId, deps.clock(), attempt))) return movedOn(item, deps);
    return { outcome: 'accepted', alreadyAccepted: confirmed, attempt };
  } catch (error) {
    // Anything else (a DynamoDB failure, say) keeps the claim: another attempt comes when it ends.
    if (!(error instanceof GraphError)) throw error;
    if (!error.retryable) {
      if (!(await deps.store.recordAcceptFailed(item.onboardingId, item.appId, attempt, error.details, deps.clock()))) return movedOn(item, deps);
      return { outcome: 'failed', error: error.details, gaveUp: false, attempt };
    }
    return scheduleRetry(record, attempt, error, deps);
  }
}

/** Accepts; on a refusal, whether a read shows our accept in after all (true) or the refusal stands (thrown). */
async function acceptOrConfirm(solutionId: string, token: string, deps: AcceptSolutionDeps): Promise<boolean> {
  try {
    await deps.graph.acceptSolution(solutionId, deps.settings.partnerAppId, token);
    return false;
  } catch (error) {
    if (!(error instanceof GraphError) || error.retryable) throw error;
    if (await alreadyAcceptedByUs(solutionId, error, token, deps)) return true;
    throw error;
  }
}

/**
 * Ends the item ACCEPT_FAILED with the differences, and then, if configured, declines the solution
 * on Graph: only while it awaits our answer (INITIATED, our invitation not yet answered), and only
 * once the record says why.
 */
async function refuseMismatch(
  record: SolutionRecord,
  attempt: number,
  solution: SolutionDetails,
  differences: SolutionDifference[],
  token: string,
  deps: AcceptSolutionDeps,
): Promise<AcceptSolutionOutcome> {
  const error: RecordedError = { code: -1, message: describeDifferences(differences), reason: 'SOLUTION_MISMATCH', differences };
  if (!(await deps.store.recordAcceptFailed(record.onboardingId, record.appId, attempt, error, deps.clock()))) return movedOn(record, deps);
  // acceptedBy() was false: an INITIATED solution that invites us awaits our answer.
  const invitation = solution.partners.find((p) => p.appId === deps.settings.partnerAppId);
  const mayDecline = deps.settings.rejectMismatched && solution.status === SOLUTION_STATUS.initiated && invitation !== undefined;
  if (!mayDecline) return { outcome: 'mismatch', error, attempt };
  try {
    await deps.graph.rejectSolution(solution.id, token);
    return { outcome: 'mismatch', error, attempt, declined: { ok: true } };
  } catch (failure) {
    if (!(failure instanceof GraphError)) throw failure;
    return { outcome: 'mismatch', error, attempt, declined: { ok: false, error: failure.details } };
  }
}

/** The next attempt is due after the backoff, and woken then; past the retry period, the solution ends ACCEPT_FAILED. */
async function scheduleRetry(record: SolutionRecord, attempt: number, error: GraphError, deps: AcceptSolutionDeps): Promise<AcceptSolutionOutcome> {
  const now = deps.clock();
  const delaySeconds = retryDelaySeconds(deps.settings.backoff, attempt, askOf(error), deps.random);
  const next = new Date(now.getTime() + delaySeconds * 1000);
  const until = record.acceptRetryUntil ?? now.toISOString();
  if (next.toISOString() > until) {
    const gaveUp: RecordedError = { ...error.details, reason: 'RETRY_PERIOD_OVER' };
    if (!(await deps.store.recordAcceptFailed(record.onboardingId, record.appId, attempt, gaveUp, now))) return movedOn(record, deps);
    return { outcome: 'failed', error: gaveUp, gaveUp: true, attempt };
  }
  if (!(await deps.store.recordAcceptRetry(record.onboardingId, record.appId, attempt, error.details, now, next))) return movedOn(record, deps);
  const woken = await wakeWhenDue(deps.wake, { onboardingId: record.onboardingId, appId: record.appId }, next);
  return { outcome: 'retrying', error: error.details, attempt, nextAttemptAt: next.toISOString(), ...woken };
}

/** This attempt's write was refused: another attempt (after this one's lease) or a person moved the item on. */
async function movedOn(item: { onboardingId: string; appId: string }, deps: AcceptSolutionDeps): Promise<AcceptSolutionOutcome> {
  const current = await deps.store.getSolution(item.onboardingId, item.appId);
  return { outcome: 'skipped', status: current?.status ?? 'MISSING' };
}

/** After a refusal: whether a second read shows our accept in (solution-check.ts `acceptedBy`). */
async function alreadyAcceptedByUs(solutionId: string, refusal: GraphError, token: string, deps: AcceptSolutionDeps): Promise<boolean> {
  try {
    const solution = await deps.graph.getSolution(solutionId, token);
    if (acceptedBy(solution, deps.settings.partnerAppId)) return true;
    if (solution.status !== SOLUTION_STATUS.initiated) return false;
    // Refused as no longer INITIATED, yet read as INITIATED: one of the two answers is stale.
    if (refusal.details.subcode === NOT_INITIATED_SUBCODE) {
      throw unexpectedAnswerGraphError(`Graph refused the accept of solution ${solutionId} as no longer INITIATED, yet reads it INITIATED`);
    }
    return false;
  } catch (error) {
    // A permanent failure to confirm leaves the accept error as the one worth keeping; a transient
    // one is retried with the whole record.
    if (error instanceof GraphError && !error.retryable) return false;
    throw error;
  }
}
