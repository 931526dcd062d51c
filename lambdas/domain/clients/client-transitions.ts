import { historyEntry } from '../records';
import type { ItemMove } from '../item-move';
import { planFrom } from '../transition-plan';
import type { TransitionRequest, TransitionSpec } from '../transition-spec';
import type { ClientAttribute, ClientError } from './client-record';
import { CLIENT_SOURCES, CLIENT_STATUSES, type ClientLeaveEvent, type ClientSource, type ClientStatus } from './client-status';

/**
 * The clients' transition table: every write of a client record's status, by name, in the shape of
 * the solutions' (transition-spec.ts), planned by the same planner into the same conditional writes.
 * A client is created NEW by the webhook or the daily pass (client-records.ts), not by a transition.
 */

type ClientRequest = TransitionRequest<ClientStatus>;
const define = <P extends ClientRequest>(spec: TransitionSpec<ClientStatus, P, ClientAttribute>) => spec;
const ALL_BUT_REMOVED = CLIENT_STATUSES.filter((s) => s !== 'REMOVED');

export const CLIENT_TRANSITIONS = {
  /**
   * A sharing attempt takes a NEW client (the stream hands every NEW one to the worker; a repeated
   * record meets SHARING and is refused). It holds it until `leaseUntil`; the first attempt fixes until
   * when failures are retried.
   */
  claimShare: define<ClientRequest & { leaseUntil: Date; retryUntil: Date }>({
    moves: { NEW: ['SHARING'] },
    guards: [],
    sets: ['shareAttempts', 'nextAttemptAt', 'shareRetryUntil'],
    clears: [],
    touchesUpdatedAt: true,
    values: (r) => ({ add: { shareAttempts: 1 }, set: { nextAttemptAt: r.leaseUntil.toISOString() }, setIfAbsent: { shareRetryUntil: r.retryUntil.toISOString() } }),
    timeline: () => ({ note: 'claimed' }),
  }),
  /**
   * The reconciler, once a SHARING client's next attempt is due (a retry's time came, or the attempt
   * died and its lease ran out): NEW again, so that the stream hands it to the worker. Only as it was read.
   */
  rearmShare: define<ClientRequest>({
    moves: { SHARING: ['NEW'] },
    guards: ['nextAttemptSeen'],
    sets: [],
    clears: ['nextAttemptAt'],
    touchesUpdatedAt: true,
    values: () => ({}),
    timeline: () => ({ note: 'attempt due' }),
  }),
  /** The reconciler, for a NEW client no worker took (its stream record was lost): written again, so that the stream carries it once more. */
  nudgeShare: define<ClientRequest>({
    moves: { NEW: ['NEW'] },
    guards: ['updatedAtSeen'],
    sets: [],
    clears: [],
    touchesUpdatedAt: true,
    values: () => ({}),
    timeline: () => false,
  }),
  /** Our line is on the WABA, verified: shared by this attempt, or found there already (`alreadyOurs`). */
  recordShared: define<ClientRequest & { allocationConfigId: string; fundingId: string; alreadyOurs: boolean }>({
    moves: { SHARING: ['CREDIT_SHARED'] },
    guards: ['shareAttempt'],
    sets: ['allocationConfigId', 'fundingId'],
    clears: ['lastError', 'nextAttemptAt'],
    touchesUpdatedAt: true,
    values: (r) => ({ set: { allocationConfigId: r.allocationConfigId, fundingId: r.fundingId } }),
    timeline: (r) => ({ attempt: r.attempt, note: r.alreadyOurs ? `our credit line was already on the WABA (allocation ${r.allocationConfigId})` : `allocation ${r.allocationConfigId}` }),
  }),
  /** After a failure worth retrying: the next attempt is due at `nextAttemptAt`; an allocation Graph already answered is kept. */
  recordShareRetry: define<ClientRequest & { error: ClientError; nextAttemptAt: Date; allocationConfigId?: string }>({
    moves: { SHARING: ['SHARING'] },
    guards: ['shareAttempt'],
    sets: ['lastError', 'nextAttemptAt', 'allocationConfigId'],
    clears: [],
    touchesUpdatedAt: true,
    values: (r) => ({ set: { lastError: r.error, nextAttemptAt: r.nextAttemptAt.toISOString(), allocationConfigId: r.allocationConfigId } }),
    timeline: (r) => ({ attempt: r.attempt, error: r.error, note: `retry at ${r.nextAttemptAt.toISOString()}` }),
  }),
  /** Refused for good, another line on the WABA, or retried for the whole period: ops decide (`retry`). */
  recordShareFailed: define<ClientRequest & { error: ClientError; allocationConfigId?: string }>({
    moves: { SHARING: ['CREDIT_FAILED'] },
    guards: ['shareAttempt'],
    sets: ['lastError', 'allocationConfigId'],
    clears: ['nextAttemptAt'],
    touchesUpdatedAt: true,
    values: (r) => ({ set: { lastError: r.error, allocationConfigId: r.allocationConfigId } }),
    timeline: (r) => ({ attempt: r.attempt, error: r.error }),
  }),
  /** No credit line is configured: recorded, nothing shared. */
  recordNotShared: define<ClientRequest & { error: ClientError }>({
    moves: { NEW: ['NOT_SHARED'] },
    guards: [],
    sets: ['lastError'],
    clears: ['nextAttemptAt'],
    touchesUpdatedAt: true,
    values: (r) => ({ set: { lastError: r.error } }),
    timeline: (r) => ({ error: r.error }),
  }),
  /** Ops' retry of a client whose sharing failed or never ran: NEW again, as if just recorded, so the stream hands it to the worker. */
  reopenShare: define<ClientRequest>({
    moves: { CREDIT_FAILED: ['NEW'], NOT_SHARED: ['NEW'] },
    guards: [],
    sets: [],
    clears: ['shareAttempts', 'shareRetryUntil', 'nextAttemptAt', 'lastError'],
    touchesUpdatedAt: true,
    values: () => ({}),
    timeline: () => ({ by: 'ops', note: 'credit sharing retried' }),
  }),
  /** The client unshared the WABA or removed our app: an attempt under way loses its fence; its solution counts one business less. */
  recordRemoved: define<ClientRequest & { event: ClientLeaveEvent; observedAt: Date }>({
    moves: Object.fromEntries(ALL_BUT_REMOVED.map((s) => [s, ['REMOVED']])),
    guards: [],
    tally: -1,
    sets: ['removedBy', 'removedAt'],
    clears: ['nextAttemptAt'],
    touchesUpdatedAt: true,
    values: (r) => ({ set: { removedBy: r.event, removedAt: r.observedAt.toISOString() } }),
    timeline: (r) => ({ by: 'webhook', note: r.event }),
  }),
  /**
   * The client joined through the solution again after it left (news newer than its leaving): NEW,
   * as if just recorded, so that the stream hands it to the worker, which finds our line still on the
   * WABA (Meta never changes an attached line) or shares it; its solution counts it again.
   */
  recordRejoined: define<ClientRequest & { source: ClientSource; observedAt: Date }>({
    moves: { REMOVED: ['NEW'] },
    guards: ['leftBefore'],
    tally: 1,
    sets: [],
    clears: ['removedBy', 'removedAt', 'shareAttempts', 'shareRetryUntil', 'nextAttemptAt', 'lastError'],
    touchesUpdatedAt: true,
    values: () => ({}),
    timeline: (r) => ({ by: r.source === 'DAILY_PASS' ? 'read' : 'webhook', note: `joined again (${r.source})` }),
  }),
  /** Another source told of a recorded client (both events, a repeat, the daily pass): when it first did, nothing else. */
  noteToldBy: define<ClientRequest & { source: ClientSource; observedAt: Date }>({
    moves: Object.fromEntries(CLIENT_STATUSES.map((s) => [s, [s]])),
    guards: [],
    sets: CLIENT_SOURCES.map((source) => `toldBy.${source}` as const),
    clears: [],
    touchesUpdatedAt: false,
    values: (r) => ({ setIfAbsent: { [`toldBy.${r.source}`]: r.observedAt.toISOString() } }),
    timeline: () => false,
  }),
} as const;

export type ClientTransitionName = keyof typeof CLIENT_TRANSITIONS;
export type ClientRequestOf<N extends ClientTransitionName> = Parameters<(typeof CLIENT_TRANSITIONS)[N]['values']>[0];

/** A client request as one conditional write, by the rules every table follows (transition-plan.ts). */
export function planClientTransition<N extends ClientTransitionName>(name: N, request: ClientRequestOf<N>): ItemMove {
  return planFrom<ClientStatus>(CLIENT_TRANSITIONS, name, request, historyEntry);
}
