import type { RecordedError, SolutionRecord } from '../records';
import { foundLiveStatus, type SolutionStatus } from '../solution-status';
import { LIVE, UNDER_WAY, UNSETTLED } from '../status-sets';
import type { AppGuards, SolutionItems } from './ports';
import type { TransitionWriter } from './transition-writer';

/** How long a create attempt holds its item, when its message comes back if the attempt dies, and when to ask a busy holder again. */
export interface CreateTiming {
  leaseMs: number;
  redeliveryMs: number;
  /** A working attempt is usually done in seconds; at the latest when its create lease ends. */
  busyRetryMs: number;
}

export type CreateClaim =
  /**
   * This attempt may create the solution; `attempt` fences every later write of this attempt.
   * `tookOverGuard`: the app's guard was released from another onboarding's item that had failed,
   * whose solution may still be on Graph.
   */
  | { kind: 'claimed'; record: SolutionRecord; attempt: number; tookOverGuard: boolean }
  /** Another attempt holds this solution, or another onboarding is creating one for the same app; worth trying again in `retryInMs`. */
  | { kind: 'busy'; retryInMs: number }
  /** Nothing left to do: a duplicate delivery. */
  | { kind: 'settled'; record: SolutionRecord | undefined }
  /** Another onboarding already holds a live solution for this app: `holder` is its item. */
  | { kind: 'existing'; holder: LiveHolder };

/** The item of the onboarding that holds an app's live solution. */
export type LiveHolder = Pick<SolutionRecord, 'status' | 'lifecycleAt'> & { solutionId: string };

/** Try again once `holder` (an item under way, or the app's holder) may have moved on: soon, and at the latest when its create lease ends. */
function busy(holder: Pick<SolutionRecord, 'status' | 'leaseExpiresAt'> | undefined, now: Date, timing: CreateTiming): CreateClaim {
  const leaseLeft = (holder?.leaseExpiresAt ?? 0) - now.getTime();
  return { kind: 'busy', retryInMs: holder !== undefined && UNDER_WAY.has(holder.status) && leaseLeft > 0 ? Math.min(leaseLeft, timing.busyRetryMs) : timing.busyRetryMs };
}

/** The onboarding whose solution item holds the app's guard, and that item. */
export async function appGuardHolder(ports: { items: SolutionItems; guards: AppGuards }, appId: string): Promise<{ holderId?: string; holder?: SolutionRecord }> {
  const holderId = await ports.guards.holderOf(appId);
  return { holderId, holder: holderId ? await ports.items.getSolution(holderId, appId) : undefined };
}

/** Create claims, the app guard, and the create attempt's outcomes. */
export function createRecords(writer: TransitionWriter, ports: { items: SolutionItems; guards: AppGuards }) {

  /**
   * Takes the right to create this app's solution for `leaseMs`, together with the app's guard: one
   * (Tech Provider app, partner app) pair has at most one onboarding creating or holding a solution.
   * A PENDING item is claimed; so is a CREATING item whose lease ran out (an attempt failed or died
   * mid-way), and the caller must then look on Graph for what that attempt may have created.
   */
  async function claimForCreate(onboardingId: string, appId: string, now: Date, timing: CreateTiming, retried = false): Promise<CreateClaim> {
    const result = await writer.apply({ onboardingId, appId }, 'claimCreate', {
      now,
      leaseExpiresAt: now.getTime() + timing.leaseMs,
      nextAttemptAt: new Date(now.getTime() + timing.redeliveryMs),
      tookOverGuard: retried,
    });
    if (result.applied) return { kind: 'claimed', record: result.item, attempt: result.item.attempts, tookOverGuard: retried };
    if (result.refusedBy === 'item') {
      const current = await ports.items.getSolution(onboardingId, appId);
      return current && UNDER_WAY.has(current.status) ? busy(current, now, timing) : { kind: 'settled', record: current };
    }
    return guardHeldElsewhere(onboardingId, appId, now, timing, retried);
  }

  /** The app's guard names another onboarding: defer to its live solution, wait, or take over a dead guard. */
  async function guardHeldElsewhere(onboardingId: string, appId: string, now: Date, timing: CreateTiming, retried: boolean): Promise<CreateClaim> {
    const { holderId, holder } = await appGuardHolder(ports, appId);
    if (holder && LIVE.has(holder.status) && holder.solutionId) return { kind: 'existing', holder: { ...holder, solutionId: holder.solutionId } };
    // Not yet live: until the holder's solution is accepted (or fails), this one waits.
    if (holder && UNSETTLED.has(holder.status)) return busy(holder, now, timing);
    // The holder failed or is gone: release its guard (only if still its) and claim once more.
    if (retried || !holderId) return busy(undefined, now, timing);
    await ports.guards.release(appId, holderId);
    return claimForCreate(onboardingId, appId, now, timing, true);
  }

  return {
    claimForCreate,
    /** Records the solution this attempt created or adopted; false when the attempt lost its claim. */
    recordCreated: (onboardingId: string, appId: string, attempt: number, solutionId: string, now: Date, adoptedName?: string) =>
      writer.applied({ onboardingId, appId }, 'recordCreated', { now, attempt, solutionId, adoptedName }),
    /** This attempt found the app's live solution with us on Graph. */
    recordExistingFound: (onboardingId: string, appId: string, attempt: number, solution: { id: string; deactivationPending: boolean }, now: Date) =>
      writer.applied({ onboardingId, appId }, 'recordExistingFound', { now, attempt, solutionId: solution.id, to: foundLiveStatus(solution.deactivationPending) }),
    /** Without a claim: another onboarding holds this app's live solution. */
    recordExistingElsewhere: (onboardingId: string, appId: string, holder: LiveHolder, now: Date) =>
      writer.applied({ onboardingId, appId }, 'recordExistingElsewhere', {
        now,
        solutionId: holder.solutionId,
        holderLifecycleAt: holder.lifecycleAt,
        to: foundLiveStatus(holder.status === 'PENDING_DEACTIVATION'),
      }),
    /** Ends this attempt in CREATE_FAILED and frees the app for a later onboarding. */
    recordCreateFailed: (onboardingId: string, appId: string, attempt: number, error: RecordedError, now: Date) =>
      writer.applied({ onboardingId, appId }, 'recordCreateFailed', { now, attempt, error }),
    /** Ends in CREATE_FAILED an item that never got past PENDING; only while its next attempt time is still the one seen (absent: none). */
    recordNeverCreated: (onboardingId: string, appId: string, error: RecordedError, now: Date, seenNextAttemptAt: string | undefined) =>
      writer.applied({ onboardingId, appId }, 'recordNeverCreated', { now, error, seenNextAttemptAt: seenNextAttemptAt ?? null }),
    /** After a retryable failure: keep CREATING, let the next attempt in at `notBefore` (epoch ms; now when 0), and note when its message comes back. */
    releaseCreateLease: async (onboardingId: string, appId: string, attempt: number, error: RecordedError, now: Date, retry: { notBefore: number; nextAttempt: Date | undefined }) => {
      await writer.apply({ onboardingId, appId }, 'releaseCreateLease', { now, attempt, error, notBefore: retry.notBefore, nextAttemptAt: retry.nextAttempt });
    },
    /** A PENDING item's message was put back to wait for the app's holder: it comes back at `at`. */
    recordWaiting: async (onboardingId: string, appId: string, at: Date) => {
      await writer.apply({ onboardingId, appId }, 'recordWaiting', { now: at, nextAttemptAt: at });
    },
    /** No delivery of this item's create message is coming any more: the reconciler settles it once no attempt holds it. */
    recordNoMoreDeliveries: (onboardingId: string, appId: string, within?: readonly SolutionStatus[]) =>
      writer.applied({ onboardingId, appId }, 'recordNoMoreDeliveries', { now: new Date(), within }),
    /** Before ops put an item's parked create message back: a delivery is coming by `at`. Only as it was read: status and attempt. */
    expectDelivery: (record: Pick<SolutionRecord, 'onboardingId' | 'appId' | 'status' | 'attempts'>, at: Date) =>
      writer.applied(record, 'expectDelivery', { now: at, from: record.status as SolutionStatus, seenAttempts: record.attempts, nextAttemptAt: at }),
    /** Ops' retry of a create the reconciler abandoned (CREATE_ABANDONED), its message found: PENDING again, due by `nextAttemptAt`. */
    reopenCreate: (onboardingId: string, appId: string, now: Date, nextAttemptAt: Date) =>
      writer.applied({ onboardingId, appId }, 'reopenCreate', { now, failedFor: 'CREATE_ABANDONED', nextAttemptAt }),
  };
}
