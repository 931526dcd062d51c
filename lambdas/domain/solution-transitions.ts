import { wholeSecond, type LifecycleSource, type RecordedError } from './records';
import { SOLUTION_STATUS_FACTS, SOLUTION_STATUSES, type LiveStatus, type SolutionStatus } from './solution-status';
import type { ItemAttribute, TransitionRequest, TransitionSpec } from './transition-spec';

/**
 * The transition table: every write of a solution item's status, by name. Each transition declares
 * the statuses it may start from and where each may lead (itself: the status stays), its guards, the
 * attributes it sets and clears, whether it moves `updatedAt`, the app guard, and its timeline note.
 * transition-plan.ts turns a request into a conditional write from this table alone; the record stores
 * apply it without naming a status, and status-sets.ts derives the sets everyone else decides by.
 */

const define = <P extends TransitionRequest>(spec: TransitionSpec<SolutionStatus, P>) => spec;

const statusesWhere = (test: (status: SolutionStatus) => boolean) => SOLUTION_STATUSES.filter(test);
const LIVE = statusesWhere((s) => SOLUTION_STATUS_FACTS[s].live);
/** Where lifecycle news may take a solution: accepted, its deactivation pending, or ended on Graph. */
const AFTER_ACCEPT: readonly SolutionStatus[] = ['ACCEPTED', 'PENDING_DEACTIVATION', 'REJECTED', 'DEACTIVATED'];
const FOUND_LIVE: readonly SolutionStatus[] = ['EXISTING', 'PENDING_DEACTIVATION'];
const stays = (...statuses: SolutionStatus[]) => Object.fromEntries(statuses.map((s) => [s, [s]]));

/** What ends a create attempt's hold on its item. */
const CREATE_SETTLED: readonly ItemAttribute[] = ['leaseExpiresAt', 'lastError', 'nextAttemptAt'];
/** A found live solution that its owner asked to deactivate returns to EXISTING if the request is declined. */
const backToExisting = (to: SolutionStatus | undefined) => (to === 'PENDING_DEACTIVATION' ? { liveStatus: 'EXISTING' } : {});

export const SOLUTION_TRANSITIONS = {
  /** A create attempt takes the item, with the app's guard; its message comes back at `nextAttemptAt` if it dies. */
  claimCreate: define<TransitionRequest & { leaseExpiresAt: number; nextAttemptAt: Date; tookOverGuard: boolean }>({
    moves: { PENDING: ['CREATING'], CREATING: ['CREATING'] },
    guards: ['unclaimed'],
    sets: ['attempts', 'leaseExpiresAt', 'nextAttemptAt'],
    clears: [],
    touchesUpdatedAt: true,
    appGuard: 'take',
    values: (r) => ({ add: { attempts: 1 }, set: { leaseExpiresAt: r.leaseExpiresAt, nextAttemptAt: r.nextAttemptAt.toISOString() } }),
    // The attempt's number is only known once claimed: the entry says it took the item.
    timeline: (r) => ({ note: r.tookOverGuard ? 'claimed, taking the app over from a failed onboarding' : 'claimed' }),
  }),
  /** The solution this attempt created, or adopted from Graph (an adopted one keeps its name: the accept's check compares it). */
  recordCreated: define<TransitionRequest & { solutionId: string; adoptedName?: string }>({
    moves: { CREATING: ['CREATED'] },
    guards: ['createAttempt'],
    sets: ['solutionId', 'solutionName'],
    clears: CREATE_SETTLED,
    touchesUpdatedAt: true,
    values: (r) => ({ set: { solutionId: r.solutionId, ...(r.adoptedName === undefined ? {} : { solutionName: r.adoptedName }) } }),
    timeline: (r) => ({ attempt: r.attempt, note: r.adoptedName === undefined ? `solution ${r.solutionId}` : `adopted solution ${r.solutionId}` }),
  }),
  /** This attempt found the app's live solution with us on Graph: EXISTING, or PENDING_DEACTIVATION (news true now) like the solution. */
  recordExistingFound: define<TransitionRequest & { solutionId: string }>({
    moves: { CREATING: FOUND_LIVE },
    guards: ['createAttempt'],
    sets: ['solutionId', 'liveStatus', 'lifecycleAt', 'lifecycleRead'],
    clears: CREATE_SETTLED,
    touchesUpdatedAt: true,
    values: (r) => ({
      set: {
        solutionId: r.solutionId,
        ...backToExisting(r.to),
        ...(r.to === 'PENDING_DEACTIVATION' ? { lifecycleAt: wholeSecond(r.now).toISOString(), lifecycleRead: true } : {}),
      },
    }),
    timeline: (r) => ({ attempt: r.attempt, note: `live solution ${r.solutionId} found on Graph` }),
  }),
  /** Without a claim: another onboarding holds the app's live solution; the holder's live state, as EXISTING. */
  recordExistingElsewhere: define<TransitionRequest & { solutionId: string; holderLifecycleAt?: string }>({
    moves: { PENDING: FOUND_LIVE, CREATING: FOUND_LIVE },
    guards: ['unclaimed'],
    sets: ['solutionId', 'liveStatus', 'lifecycleAt'],
    clears: CREATE_SETTLED,
    touchesUpdatedAt: true,
    values: (r) => ({
      set: { solutionId: r.solutionId, ...backToExisting(r.to), ...(r.to === 'PENDING_DEACTIVATION' && r.holderLifecycleAt ? { lifecycleAt: r.holderLifecycleAt } : {}) },
    }),
    timeline: (r) => ({ note: `app's live solution ${r.solutionId} is another onboarding's` }),
  }),
  /** Ends this attempt in CREATE_FAILED and frees the app for a later onboarding. */
  recordCreateFailed: define<TransitionRequest & { error: RecordedError }>({
    moves: { CREATING: ['CREATE_FAILED'] },
    guards: ['createAttempt'],
    sets: ['lastError'],
    clears: ['leaseExpiresAt', 'nextAttemptAt'],
    touchesUpdatedAt: true,
    appGuard: 'release',
    values: (r) => ({ set: { lastError: r.error } }),
    timeline: (r) => ({ attempt: r.attempt, error: r.error }),
  }),
  /** An item that never got past PENDING (its message is gone): nothing reached Graph, and it holds no guard. */
  recordNeverCreated: define<TransitionRequest & { error: RecordedError }>({
    moves: { PENDING: ['CREATE_FAILED'] },
    guards: ['nextAttemptSeen'],
    sets: ['lastError'],
    clears: ['nextAttemptAt'],
    touchesUpdatedAt: true,
    values: (r) => ({ set: { lastError: r.error } }),
    timeline: (r) => ({ error: r.error }),
  }),
  /**
   * After a retryable failure the item stays CREATING (the attempt may have reached Graph): the next
   * attempt may start at `notBefore` (epoch ms), and its message comes back at `nextAttemptAt` (none:
   * its receives are used up, and the reconciler settles it).
   */
  releaseCreateLease: define<TransitionRequest & { error: RecordedError; notBefore: number; nextAttemptAt: Date | undefined }>({
    moves: stays('CREATING'),
    guards: ['createAttempt'],
    sets: ['lastError', 'leaseExpiresAt', 'nextAttemptAt'],
    clears: ['nextAttemptAt'],
    touchesUpdatedAt: true,
    values: (r) => ({ set: { lastError: r.error, leaseExpiresAt: r.notBefore, ...(r.nextAttemptAt ? { nextAttemptAt: r.nextAttemptAt.toISOString() } : {}) } }),
    timeline: (r) => ({ attempt: r.attempt, error: r.error, note: r.nextAttemptAt ? `retry at ${r.nextAttemptAt.toISOString()}` : 'no delivery left: the reconciler settles it' }),
  }),
  /** A PENDING item's message was put back to wait for the app's holder: it comes back at `nextAttemptAt`. */
  recordWaiting: define<TransitionRequest & { nextAttemptAt: Date }>({
    moves: stays('PENDING'),
    guards: [],
    sets: ['nextAttemptAt'],
    clears: [],
    touchesUpdatedAt: false,
    values: (r) => ({ set: { nextAttemptAt: r.nextAttemptAt.toISOString() } }),
    timeline: () => false,
  }),
  /** No delivery of the item's create message is coming any more: the reconciler settles it once no attempt holds it. */
  recordNoMoreDeliveries: define<TransitionRequest>({
    moves: stays('PENDING', 'CREATING'),
    guards: [],
    sets: [],
    clears: ['nextAttemptAt'],
    touchesUpdatedAt: false,
    values: () => ({}),
    timeline: () => false,
  }),
  /** Before ops put an item's parked create message back: a delivery is coming by `nextAttemptAt`. Only as it was read. */
  expectDelivery: define<TransitionRequest & { nextAttemptAt: Date }>({
    moves: stays('PENDING', 'CREATING'),
    guards: ['attemptsSeen'],
    sets: ['nextAttemptAt'],
    clears: [],
    touchesUpdatedAt: false,
    values: (r) => ({ set: { nextAttemptAt: r.nextAttemptAt.toISOString() } }),
    timeline: () => false,
  }),
  /** Ops' retry of a create the reconciler abandoned, its message found: PENDING again, its message due by `nextAttemptAt`. */
  reopenCreate: define<TransitionRequest & { nextAttemptAt: Date }>({
    moves: { CREATE_FAILED: ['PENDING'] },
    guards: ['failedFor'],
    sets: ['nextAttemptAt'],
    clears: ['lastError', 'leaseExpiresAt'],
    touchesUpdatedAt: true,
    values: (r) => ({ set: { nextAttemptAt: r.nextAttemptAt.toISOString() } }),
    timeline: () => ({ by: 'ops', note: 'create retried' }),
  }),
  /** An accept attempt takes a CREATED solution until `leaseUntil`; the first also fixes until when failures are retried. */
  claimAccept: define<TransitionRequest & { leaseUntil: Date; retryUntil: Date }>({
    moves: stays('CREATED'),
    guards: ['acceptDue'],
    sets: ['acceptAttempts', 'nextAttemptAt', 'acceptRetryUntil'],
    clears: [],
    touchesUpdatedAt: true,
    values: (r) => ({ add: { acceptAttempts: 1 }, set: { nextAttemptAt: r.leaseUntil.toISOString() }, setIfAbsent: { acceptRetryUntil: r.retryUntil.toISOString() } }),
    timeline: () => false,
  }),
  /** `attempt`: the accept attempt that saw it accepted, for the timeline. */
  recordAccepted: define<TransitionRequest>({
    moves: { CREATED: ['ACCEPTED'] },
    guards: [],
    sets: [],
    clears: ['lastError', 'nextAttemptAt'],
    touchesUpdatedAt: true,
    values: () => ({}),
    timeline: (r) => ({ attempt: r.attempt }),
  }),
  recordAcceptFailed: define<TransitionRequest & { error: RecordedError }>({
    moves: { CREATED: ['ACCEPT_FAILED'] },
    guards: ['acceptAttempt'],
    sets: ['lastError'],
    clears: ['nextAttemptAt'],
    touchesUpdatedAt: true,
    values: (r) => ({ set: { lastError: r.error } }),
    timeline: (r) => ({ attempt: r.attempt, error: r.error }),
  }),
  /** After a retryable accept failure: the next attempt is due at `nextAttemptAt`. */
  recordAcceptRetry: define<TransitionRequest & { error: RecordedError; nextAttemptAt: Date }>({
    moves: stays('CREATED'),
    guards: ['acceptAttempt'],
    sets: ['lastError', 'nextAttemptAt'],
    clears: [],
    touchesUpdatedAt: true,
    values: (r) => ({ set: { lastError: r.error, nextAttemptAt: r.nextAttemptAt.toISOString() } }),
    timeline: (r) => ({ attempt: r.attempt, error: r.error, note: `accept retry at ${r.nextAttemptAt.toISOString()}` }),
  }),
  /**
   * Ops' retry of an ACCEPT_FAILED solution: CREATED again as just created, so the stream hands it to
   * the accept worker as a first attempt; with the app's guard, which a failed accept no longer defends.
   */
  reopenAccept: define<TransitionRequest>({
    moves: { ACCEPT_FAILED: ['CREATED'] },
    guards: [],
    sets: [],
    clears: ['acceptAttempts', 'acceptRetryUntil', 'nextAttemptAt', 'lastError'],
    touchesUpdatedAt: true,
    appGuard: 'take',
    values: () => ({}),
    timeline: () => ({ by: 'ops', note: 'accept retried' }),
  }),
  /** Ops' retry of a CREATED solution whose accept waits: due now, with a fresh retry period. Only as it was read, and quiet since `changedBy`. */
  hurryAccept: define<TransitionRequest>({
    moves: stays('CREATED'),
    guards: ['updatedAtSeen'],
    sets: ['nextAttemptAt'],
    clears: ['acceptRetryUntil'],
    touchesUpdatedAt: true,
    values: (r) => ({ set: { nextAttemptAt: r.now.toISOString() } }),
    timeline: () => ({ by: 'ops', note: 'accept due now' }),
  }),
  /**
   * Lifecycle news (solution-lifecycle.ts) moves a record from the status it was read in, noting when
   * the news was true; only news newer than what the record shows. A solution past its accept has no
   * attempt coming; a retrying accept's error is done with once Graph says the solution is live.
   */
  recordLifecycle: define<TransitionRequest & { source: LifecycleSource; liveStatus?: LiveStatus }>({
    moves: {
      CREATED: AFTER_ACCEPT,
      ACCEPT_FAILED: AFTER_ACCEPT,
      ACCEPTED: AFTER_ACCEPT,
      EXISTING: ['EXISTING', 'PENDING_DEACTIVATION', 'REJECTED', 'DEACTIVATED'],
      PENDING_DEACTIVATION: ['ACCEPTED', 'EXISTING', 'PENDING_DEACTIVATION', 'REJECTED', 'DEACTIVATED'],
    },
    guards: ['newerNews'],
    sets: ['lifecycleAt', 'lifecycleRead', 'liveStatus'],
    clears: ['nextAttemptAt', 'leaseExpiresAt', 'lifecycleRead', 'liveStatus', 'lastError'],
    touchesUpdatedAt: true,
    values: (r) => ({
      set: { lifecycleAt: r.observedAt?.toISOString(), ...(r.source === 'read' ? { lifecycleRead: true } : {}), ...(r.liveStatus ? { liveStatus: r.liveStatus } : {}) },
      keep: r.from === 'CREATED' && r.to !== undefined && LIVE.includes(r.to) ? [] : ['lastError'],
    }),
    // News that only confirms the status (a daily read, say) would crowd the timeline out.
    timeline: (r, to) => (r.from === to ? false : { by: r.source, note: `news of ${r.observedAt?.toISOString()}` }),
  }),
  /** A live solution whose read Graph refused: the next poll comes a whole poll period later (its `updatedAt` moves on). */
  deferLifecyclePoll: define<TransitionRequest>({
    moves: stays(...LIVE),
    guards: ['updatedAtSeen'],
    sets: [],
    clears: [],
    touchesUpdatedAt: true,
    values: () => ({}),
    timeline: () => false,
  }),
} satisfies Record<string, TransitionSpec<SolutionStatus, never>>;

export type TransitionName = keyof typeof SOLUTION_TRANSITIONS;
/** The request each transition takes. */
export type RequestOf<N extends TransitionName> = Parameters<(typeof SOLUTION_TRANSITIONS)[N]['values']>[0];
