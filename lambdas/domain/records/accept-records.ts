import type { RecordedError, SolutionRecord } from '../records';
import type { TransitionWriter } from './transition-writer';

/** Accept claims, and the accept attempt's outcomes. */
export function acceptRecords(writer: TransitionWriter) {
  return {
    /**
     * Takes the right to accept a CREATED solution: the stream's first delivery (`first`), or the
     * reconciler once the item is due (its `nextAttemptAt` passed, or, for one that no attempt has
     * touched, `handoffBefore` passed its last update). The attempt holds it until `leaseMs` from now,
     * when another may take over if it died; the first attempt also fixes until when failures are retried.
     */
    async claimForAccept(
      onboardingId: string,
      appId: string,
      now: Date,
      opts: { first: boolean; leaseMs: number; retryPeriodMs: number; handoffBefore?: Date },
    ): Promise<{ record: SolutionRecord; attempt: number } | undefined> {
      const result = await writer.apply({ onboardingId, appId }, 'claimAccept', {
        now,
        first: opts.first,
        handoffBefore: opts.handoffBefore,
        leaseUntil: new Date(now.getTime() + opts.leaseMs),
        retryUntil: new Date(now.getTime() + opts.retryPeriodMs),
      });
      return result.applied ? { record: result.item, attempt: result.item.acceptAttempts ?? 1 } : undefined;
    },
    /** `attempt`: the accept attempt that saw it accepted, for the timeline. */
    recordAccepted: (onboardingId: string, appId: string, now: Date, attempt?: number) => writer.applied({ onboardingId, appId }, 'recordAccepted', { now, attempt }),
    /** Ends the accept in ACCEPT_FAILED; only while accept attempt `attempt` still holds the item. */
    recordAcceptFailed: (onboardingId: string, appId: string, attempt: number, error: RecordedError, now: Date) =>
      writer.applied({ onboardingId, appId }, 'recordAcceptFailed', { now, attempt, error }),
    /** After a retryable accept failure: the next attempt is due at `nextAttempt`; false if this attempt no longer holds the item. */
    recordAcceptRetry: (onboardingId: string, appId: string, attempt: number, error: RecordedError, now: Date, nextAttempt: Date) =>
      writer.applied({ onboardingId, appId }, 'recordAcceptRetry', { now, attempt, error, nextAttemptAt: nextAttempt }),
    /**
     * Ops' retry of an ACCEPT_FAILED solution: CREATED again as if just created, with the app's guard:
     * `app-taken` when another onboarding of the app has taken it since (its own solution is on its
     * way or live, and accepting this one too would give the app two).
     */
    async reopenAccept(onboardingId: string, appId: string, now: Date): Promise<'reopened' | 'moved-on' | 'app-taken'> {
      const result = await writer.apply({ onboardingId, appId }, 'reopenAccept', { now });
      if (result.applied) return 'reopened';
      return result.refusedBy === 'guard' ? 'app-taken' : 'moved-on';
    },
    /**
     * Ops' retry of a CREATED solution whose accept waits: due now, with a fresh retry period, for the
     * reconciler's next pass. Only as it was read (`updatedAt`), and only if nothing claimed it within
     * `leaseMs` (an attempt under way keeps its lease).
     */
    hurryAccept: (record: Pick<SolutionRecord, 'onboardingId' | 'appId' | 'updatedAt'>, now: Date, leaseMs: number) =>
      writer.applied(record, 'hurryAccept', { now, seenUpdatedAt: record.updatedAt, changedBy: new Date(now.getTime() - leaseMs).toISOString() }),
  };
}
