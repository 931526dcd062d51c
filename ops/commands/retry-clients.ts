import type { ClientRecord } from '../../lambdas/domain/clients/client-record';
import type { ClientStore } from '../../lambdas/domain/clients/client-records';
import type { ClientStatus } from '../../lambdas/domain/clients/client-status';
import { CLIENT_TRANSITIONS } from '../../lambdas/domain/clients/client-transitions';
import { asOpsError } from '../ops-error';
import { table } from '../format';

/** The statuses ops' retry takes a client from, as the clients' transition table says (`reopenShare`). */
export const RETRIED_CLIENT_STATUSES = Object.keys(CLIENT_TRANSITIONS.reopenShare.moves) as ClientStatus[];

export type ClientRetryOutcome = { outcome: 'share-retried' } | { outcome: 'moved-on' } | { outcome: 'not-retried'; message: string } | { outcome: 'failed'; message: string };

export interface RetriedClient {
  wabaId: string;
  solutionId: string;
  status: ClientStatus;
  result: ClientRetryOutcome;
}

/**
 * One client record's retry: NEW again (`reopenShare`), so that the stream hands it to the share
 * worker, with its attempts, retry period and last error cleared. Only from a status the table allows;
 * a failure of the table is that record's, and the next ones still go.
 */
async function retryClient(client: ClientRecord, clients: ClientStore, now: Date, dryRun: boolean): Promise<ClientRetryOutcome> {
  if (!RETRIED_CLIENT_STATUSES.includes(client.status)) {
    return { outcome: 'not-retried', message: `it is ${client.status}; only ${RETRIED_CLIENT_STATUSES.join(' or ')} clients are retried` };
  }
  if (dryRun) return { outcome: 'share-retried' };
  try {
    return (await clients.reopenShare(client, now)) ? { outcome: 'share-retried' } : { outcome: 'moved-on' };
  } catch (error) {
    return { outcome: 'failed', message: asOpsError(error, 'this client').message };
  }
}

export async function retryClients(found: ClientRecord[], clients: ClientStore, clock: () => Date, dryRun: boolean): Promise<RetriedClient[]> {
  const results: RetriedClient[] = [];
  for (const c of found) results.push({ wabaId: c.wabaId, solutionId: c.solutionId, status: c.status, result: await retryClient(c, clients, clock(), dryRun) });
  return results;
}

function clientOutcomeText(result: ClientRetryOutcome, dryRun: boolean): string {
  switch (result.outcome) {
    case 'share-retried':
      return `credit sharing ${dryRun ? 'would be ' : ''}retried: NEW again, the stream hands it to the share worker`;
    case 'moved-on':
      return 'not retried: it changed meanwhile (show it again)';
    case 'not-retried':
    case 'failed':
      return `${result.outcome === 'failed' ? 'failed' : 'not retried'}: ${result.message}`;
  }
}

export const clientRetried = (r: RetriedClient) => r.result.outcome === 'share-retried';

export function clientRetryLines(results: RetriedClient[], dryRun: boolean): string[] {
  return table(
    ['WABA', 'SOLUTION', 'WAS', 'RESULT'],
    results.map((r) => [r.wabaId, r.solutionId, r.status, clientOutcomeText(r.result, dryRun)]),
  );
}
