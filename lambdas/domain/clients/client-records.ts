import type { MoveResult } from '../item-move';
import { plannedOrReported, type RefusedTransitionReport } from '../records/transition-writer';
import { planClientTransition, type ClientRequestOf, type ClientTransitionName } from './client-transitions';
import type { ClientItems, ClientQueries } from './client-ports';
import type { ClientError, ClientKey, ClientRecord } from './client-record';
import type { ClientLeaveEvent, ClientSource } from './client-status';

/** The clients' store: the named writes, each planned from the clients' transition table, and the queries. */
export type ClientStore = ReturnType<typeof clientStore>;

export function clientStore(ports: { items: ClientItems; queries: ClientQueries; reportRefused?: RefusedTransitionReport }) {
  const { items, queries } = ports;
  const report = ports.reportRefused ?? (() => undefined);

  async function apply<N extends ClientTransitionName>(key: ClientKey, name: N, request: ClientRequestOf<N>): Promise<MoveResult<ClientRecord>> {
    const clientKey = { solutionId: key.solutionId, wabaId: key.wabaId };
    return items.applyClientMove(clientKey, plannedOrReported(() => planClientTransition(name, request), clientKey, report));
  }
  const applied = async <N extends ClientTransitionName>(key: ClientKey, name: N, request: ClientRequestOf<N>) => (await apply(key, name, request)).applied;

  return {
    // Bound one by one: a store's methods live on its prototype, which a spread would not copy.
    clientsOfWaba: (wabaId: string) => queries.clientsOfWaba(wabaId),
    clientsOfSolution: (solutionId: string) => queries.clientsOfSolution(solutionId),
    countJoined: (solutionId: string) => queries.countJoined(solutionId),
    joinedSince: (appId: string, since: Date) => queries.joinedSince(appId, since),
    clientsInStatus: queries.clientsInStatus.bind(queries),
    newestClientsInStatus: queries.newestClientsInStatus.bind(queries),
    countClientsInStatus: queries.countClientsInStatus.bind(queries),
    getClient: (key: ClientKey) => items.getClient(key),
    recordNewClient: (record: ClientRecord) => items.recordNewClient(record),
    noteWabaLeft: (wabaId: string, event: ClientLeaveEvent, at: Date) => items.noteWabaLeft(wabaId, event, at),
    wabaLeft: (wabaId: string) => items.wabaLeft(wabaId),
    /** A REMOVED client joining again with news newer than its leaving: NEW, counted again; false otherwise. */
    recordRejoined: (key: ClientKey, source: ClientSource, observedAt: Date, now: Date) => applied(key, 'recordRejoined', { now, source, observedAt }),
    /** Takes a NEW client for a sharing attempt, held until `leaseMs` from now; the first attempt fixes the retry period. */
    async claimShare(key: ClientKey, now: Date, opts: { leaseMs: number; retryPeriodMs: number }) {
      const result = await apply(key, 'claimShare', { now, leaseUntil: new Date(now.getTime() + opts.leaseMs), retryUntil: new Date(now.getTime() + opts.retryPeriodMs) });
      return result.applied ? { record: result.item, attempt: result.item.shareAttempts ?? 1 } : undefined;
    },
    /** The reconciler: a SHARING client whose next attempt is due goes back to NEW, as it was read. */
    rearmShare: (client: Pick<ClientRecord, 'solutionId' | 'wabaId' | 'nextAttemptAt'>, now: Date) => applied(client, 'rearmShare', { now, seenNextAttemptAt: client.nextAttemptAt ?? null }),
    /** The reconciler: a NEW client no worker took is written again for the stream, as it was read. */
    nudgeShare: (client: Pick<ClientRecord, 'solutionId' | 'wabaId' | 'updatedAt'>, now: Date) => applied(client, 'nudgeShare', { now, seenUpdatedAt: client.updatedAt }),
    recordShared: (key: ClientKey, attempt: number, shared: { allocationConfigId: string; fundingId: string; alreadyOurs: boolean }, now: Date) =>
      applied(key, 'recordShared', { now, attempt, ...shared }),
    recordShareRetry: (key: ClientKey, attempt: number, error: ClientError, now: Date, nextAttemptAt: Date, allocationConfigId?: string) =>
      applied(key, 'recordShareRetry', { now, attempt, error, nextAttemptAt, allocationConfigId }),
    recordShareFailed: (key: ClientKey, attempt: number, error: ClientError, now: Date, allocationConfigId?: string) =>
      applied(key, 'recordShareFailed', { now, attempt, error, allocationConfigId }),
    recordNotShared: (key: ClientKey, error: ClientError, now: Date) => applied(key, 'recordNotShared', { now, error }),
    /** Ops' retry of a CREDIT_FAILED or NOT_SHARED client: NEW again; false when it is in neither. */
    reopenShare: (key: ClientKey, now: Date) => applied(key, 'reopenShare', { now }),
    recordRemoved: (key: ClientKey, event: ClientLeaveEvent, observedAt: Date, now: Date) => applied(key, 'recordRemoved', { now, event, observedAt }),
    noteToldBy: (key: ClientKey, source: ClientSource, observedAt: Date, now: Date) => applied(key, 'noteToldBy', { now, source, observedAt }),
  };
}
