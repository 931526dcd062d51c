import type { RecordStore } from './records/record-store';
import type { SolutionRecord } from './records';

/** A create message parked in the create DLQ: the only place the Tech Provider's token is left. */
export interface ParkedCreates {
  /** Whether a parked message carries this item's create. */
  has(item: { onboardingId: string; appId: string }): boolean;
  /** Puts the item's message back on the create queue (and off the DLQ). */
  requeue(item: { onboardingId: string; appId: string }): Promise<void>;
}

export interface RetrySolutionDeps {
  store: Pick<RecordStore, 'reopenAccept' | 'hurryAccept' | 'reopenCreate' | 'getOnboarding'>;
  parkedCreates: ParkedCreates;
  settings: {
    /** When a requeued create message is received at the latest: the create queue's visibility timeout. */
    redeliveryMs: number;
    /** How long an accept attempt holds its solution: one claimed within it may be under way. */
    acceptLeaseMs: number;
  };
  clock: () => Date;
}

/** Why a solution was not re-driven; each says what to do instead. */
export type NotRetriedReason =
  /** PENDING or CREATING: its create message, or the reconciler, moves it on. */
  | 'UNDER_WAY'
  /** CREATED and touched within an accept lease: an attempt may be under way. */
  | 'ACCEPT_UNDER_WAY'
  /** ACCEPT_FAILED, and another onboarding of the app has taken it since: accepting this one would give the app two live solutions. */
  | 'APP_TAKEN'
  /** Live, or ended on Graph: there is nothing to retry. */
  | 'NOTHING_TO_RETRY'
  /** PENDING_DEACTIVATION: ops decides with the deactivation command. */
  | 'DEACTIVATION_PENDING'
  /** CREATE_FAILED with `AMBIGUOUS_ON_GRAPH`: a person decides which solution is ours. */
  | 'AMBIGUOUS_ON_GRAPH'
  /** CREATE_FAILED and not known to be absent from Graph, or with its token gone: only a new onboarding creates it. */
  | 'NO_TOKEN'
  /** The Tech Provider's token in its parked message has expired. */
  | 'TOKEN_EXPIRED';

export type RetryOutcome =
  /** Accept re-driven: the stream hands it to the accept worker (`stream`), or the reconciler's next pass does (`reconciler`). */
  | { outcome: 'accept-retried'; via: 'stream' | 'reconciler' }
  /** Create re-driven: the item is PENDING again and its message back on the create queue. */
  | { outcome: 'create-retried' }
  | { outcome: 'not-retried'; reason: NotRetriedReason; message: string }
  /** Something moved the item on between the read and the write: read it again. */
  | { outcome: 'moved-on' };

const notRetried = (reason: NotRetriedReason, message: string): RetryOutcome => ({ outcome: 'not-retried', reason, message });

const unreachable = (status: never): never => {
  throw new Error(`no retry rule for status ${String(status)}`);
};

/**
 * Ops' retry of one solution, through the pipeline, never around it:
 * - ACCEPT_FAILED: CREATED again as just created; the stream hands it to the accept worker, whose
 *   check before accepting runs again (a mismatch stays refused). Only while no other onboarding of
 *   the app has taken the app's guard since.
 * - CREATED: its waiting accept (a retry after a failure, or one the stream missed) is due now, for the
 *   reconciler; not while an attempt may be under way (claimed within the accept lease).
 * - CREATE_FAILED: created again only where that is safe: the reconciler abandoned it
 *   (`CREATE_ABANDONED`: it found nothing of it on Graph), its create message with the Tech Provider's
 *   token is parked in the DLQ, and that token has not expired. The item is PENDING again, then the
 *   message goes back on the create queue; the next attempt lists the app's solutions before it creates.
 * Anything else is not retried, with the reason and what to do instead.
 */
export async function retrySolution(record: SolutionRecord, deps: RetrySolutionDeps): Promise<RetryOutcome> {
  const now = deps.clock();
  switch (record.status) {
    case 'ACCEPT_FAILED':
      return retryAccept(record, deps, now);
    case 'CREATED': {
      const leaseEnds = Date.parse(record.updatedAt) + deps.settings.acceptLeaseMs;
      if (leaseEnds > now.getTime()) {
        return notRetried('ACCEPT_UNDER_WAY', `an accept attempt may be under way (it changed at ${record.updatedAt}): retry after ${new Date(leaseEnds).toISOString()}, or let it be`);
      }
      return (await deps.store.hurryAccept(record, now, deps.settings.acceptLeaseMs)) ? { outcome: 'accept-retried', via: 'reconciler' } : { outcome: 'moved-on' };
    }
    case 'CREATE_FAILED':
      return retryCreate(record, deps, now);
    case 'PENDING':
    case 'CREATING':
      return notRetried(
        'UNDER_WAY',
        record.nextAttemptAt
          ? `its create is under way: the next attempt comes by ${record.nextAttemptAt}`
          : 'no create message is coming: the reconciler settles it within minutes (adopted from Graph, or CREATE_ABANDONED)',
      );
    case 'PENDING_DEACTIVATION':
      return notRetried('DEACTIVATION_PENDING', `its owner asked to deactivate it: decide with \`deactivation accept|reject ${record.solutionId}\``);
    case 'ACCEPTED':
    case 'EXISTING':
      return notRetried('NOTHING_TO_RETRY', `it is ${record.status}: nothing to retry`);
    case 'REJECTED':
    case 'DEACTIVATED':
      return notRetried('NOTHING_TO_RETRY', `it is ${record.status}: nothing to retry (a new onboarding of the app creates a new solution)`);
    default:
      // A status added to the table without a retry rule here fails the type check.
      return unreachable(record.status);
  }
}

async function retryAccept(record: SolutionRecord, deps: RetrySolutionDeps, now: Date): Promise<RetryOutcome> {
  switch (await deps.store.reopenAccept(record.onboardingId, record.appId, now)) {
    case 'reopened':
      return { outcome: 'accept-retried', via: 'stream' };
    case 'app-taken':
      return notRetried('APP_TAKEN', `another onboarding of app ${record.appId} has taken it since (\`show ${record.appId}\`): accepting this solution too would give the app two; decline it on Graph instead`);
    case 'moved-on':
      return { outcome: 'moved-on' };
  }
}

async function retryCreate(record: SolutionRecord, deps: RetrySolutionDeps, now: Date): Promise<RetryOutcome> {
  const reason = record.lastError?.reason;
  if (reason === 'AMBIGUOUS_ON_GRAPH') {
    return notRetried('AMBIGUOUS_ON_GRAPH', 'Graph lists its name on more than one solution, or on another app’s: a person decides which is ours (README, SolutionOrphanedAlarm)');
  }
  if (reason !== 'CREATE_ABANDONED') {
    return notRetried('NO_TOKEN', `Graph refused its create for good (code ${record.lastError?.code ?? '?'}), and its message with the Tech Provider’s token went with that answer: once the cause is fixed, the Tech Provider runs the flow again`);
  }
  if (!deps.parkedCreates.has(record)) {
    return notRetried('NO_TOKEN', 'its create message, with the Tech Provider’s token, is no longer in the DLQ: the Tech Provider runs the flow again');
  }
  const onboarding = await deps.store.getOnboarding(record.onboardingId);
  const expiresAt = onboarding?.onboarding.tokenExpiresAt ?? 0;
  if (expiresAt !== 0 && expiresAt * 1000 <= now.getTime()) {
    return notRetried('TOKEN_EXPIRED', `the Tech Provider’s token expired at ${new Date(expiresAt * 1000).toISOString()}: the Tech Provider runs the flow again`);
  }
  // The record first: a message received before the item is PENDING again would find it settled, and be dropped with its token.
  if (!(await deps.store.reopenCreate(record.onboardingId, record.appId, now, new Date(now.getTime() + deps.settings.redeliveryMs)))) return { outcome: 'moved-on' };
  await deps.parkedCreates.requeue(record);
  return { outcome: 'create-retried' };
}
