import { when } from '../item-move';
import type { ClientStore } from './client-records';
import type { ClientKey } from './client-record';

export interface ReconcileClientsDeps {
  clients: Pick<ClientStore, 'clientsInStatus' | 'rearmShare' | 'nudgeShare'>;
  settings: {
    /** A NEW client no worker took for this long was missed by the stream. */
    shareHandoffMs: number;
    maxItemsPerPass: number;
  };
  clock: () => Date;
}

export interface ReconciledClients {
  /** SHARING clients whose next attempt was due (a retry's time, or a dead attempt's lease): NEW again. */
  rearmed: ClientKey[];
  /** NEW clients the stream never handed to a worker: written again for it. */
  nudged: ClientKey[];
}

/**
 * The clients' part of the reconciler's pass, with no Graph call: credit sharing runs only in the
 * share worker (its timeout fits an attempt's calls), so the pass hands it the clients that wait. A
 * SHARING client whose `nextAttemptAt` passed (a retry now due, or an attempt that died) goes back to
 * NEW, and a NEW one no worker took within the handoff is written again: the stream carries both to
 * the worker, whose claim takes each once. Each write is as the pass read the client: a worker that
 * moved it meanwhile wins.
 */
export async function reconcileClients(deps: ReconcileClientsDeps): Promise<ReconciledClients> {
  const now = deps.clock();
  const limit = deps.settings.maxItemsPerPass;
  const due = await deps.clients.clientsInStatus('SHARING', { filter: when.le('nextAttemptAt', now.toISOString()), limit });
  const missed = await deps.clients.clientsInStatus('NEW', { updatedBefore: new Date(now.getTime() - deps.settings.shareHandoffMs), limit });
  const result: ReconciledClients = { rearmed: [], nudged: [] };
  for (const client of due) if (await deps.clients.rearmShare(client, now)) result.rearmed.push(keyOf(client));
  for (const client of missed) if (await deps.clients.nudgeShare(client, now)) result.nudged.push(keyOf(client));
  return result;
}

const keyOf = (client: ClientKey): ClientKey => ({ solutionId: client.solutionId, wabaId: client.wabaId });
