import type { ClientRecord } from '../../lambdas/domain/clients/client-record';
import type { ClientStore } from '../../lambdas/domain/clients/client-records';
import { CLIENT_STATUSES, type ClientStatus } from '../../lambdas/domain/clients/client-status';
import { EXIT } from '../ops-error';
import { errorText, table, when, type CommandResult } from '../format';
import { mergeNewestFirst, newerFirst } from '../newest-first';

export interface ClientListOptions {
  solutionId?: string;
  statuses?: ClientStatus[];
  /** ISO 8601: clients changed at or after it. */
  since?: string;
  limit: number;
}

const keyOf = (c: ClientRecord) => `${c.solutionId}/${c.wabaId}`;

/**
 * Client records, newest change first, at most `limit`. A solution's are one Query of its partition
 * (clients are few per solution); otherwise the `byStatus` index per status, read newest first and
 * merged as far as the list needs (never a Scan).
 */
export async function listClients(clients: ClientStore, options: ClientListOptions): Promise<ClientRecord[]> {
  const wanted = (c: ClientRecord) => (!options.statuses || options.statuses.includes(c.status)) && (!options.since || c.updatedAt >= options.since);
  if (options.solutionId) return (await clients.clientsOfSolution(options.solutionId)).filter(wanted).sort(newerFirst(keyOf)).slice(0, options.limit);
  const sources = (options.statuses ?? CLIENT_STATUSES).map((status) => clients.newestClientsInStatus(status, { since: options.since }, options.limit));
  return mergeNewestFirst(sources, keyOf, wanted, options.limit);
}

/** A client record as ops reads it in a list: no timeline, no lease internals. */
export function clientSummary(c: ClientRecord) {
  return {
    wabaId: c.wabaId,
    solutionId: c.solutionId,
    ownerBusinessId: c.ownerBusinessId,
    appId: c.appId,
    onboardingId: c.onboardingId,
    status: c.status,
    ...(c.allocationConfigId ? { allocationConfigId: c.allocationConfigId } : {}),
    ...(c.lastError ? { lastError: c.lastError } : {}),
    shareAttempts: c.shareAttempts ?? 0,
    ...(c.nextAttemptAt ? { nextAttemptAt: c.nextAttemptAt } : {}),
    toldBy: c.toldBy,
    ...(c.removedBy ? { removedBy: c.removedBy, removedAt: c.removedAt } : {}),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export async function clientsCommand(clients: ClientStore, options: ClientListOptions): Promise<CommandResult> {
  const found = await listClients(clients, options);
  const lines =
    found.length === 0
      ? ['No clients match.']
      : table(
          ['UPDATED', 'STATUS', 'WABA', 'SOLUTION', 'OWNER BUSINESS', 'ALLOCATION', 'TRIES', 'ERROR'],
          found.map((c) => [when(c.updatedAt), c.status, c.wabaId, c.solutionId, c.ownerBusinessId, c.allocationConfigId ?? '-', String(c.shareAttempts ?? 0), errorText(c.lastError)]),
        );
  if (found.length === options.limit) lines.push('', `The newest ${options.limit} shown: narrow with --status, --solution or --since, or raise --limit.`);
  return { data: { items: found.map(clientSummary) }, lines, exitCode: EXIT.ok };
}
