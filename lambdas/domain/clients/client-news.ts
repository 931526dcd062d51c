import type { SolutionQueries } from '../records/ports';
import type { SolutionRecord } from '../records';
import { SCHEDULE } from '../../schedule';
import { LIVE } from '../status-sets';
import type { ClientStore } from './client-records';
import type { ClientKey, ClientRecord } from './client-record';
import type { ClientJoinEvent, ClientLeaveEvent, ClientSource } from './client-status';

/** What Meta's `account_update` (or the daily pass) told of a client (docs/graph-api.md § Clients). */
export type ClientNews =
  | { kind: 'joined'; event: ClientJoinEvent; wabaId: string; ownerBusinessId: string; solutionId?: string; partnerAppId?: string; observedAt: Date }
  /** `partnerAppId`: the app removed (UNINSTALLED); `partnerBusinessId`: the partner the WABA was unshared from (the entry's `id`). */
  | { kind: 'left'; event: ClientLeaveEvent; wabaId: string; ownerBusinessId: string; partnerAppId?: string; partnerBusinessId?: string; observedAt: Date };

/** Who we are to a client: our app, and our business portfolio. */
export interface OurPartnerIds {
  partnerAppId: string;
  businessId: string;
}

export interface ClientNewsDeps {
  clients: Pick<ClientStore, 'recordNewClient' | 'noteToldBy' | 'recordRejoined' | 'joinedSince' | 'clientsOfWaba' | 'recordRemoved' | 'noteWabaLeft' | 'wabaLeft'>;
  solutions: Pick<SolutionQueries, 'findBySolutionId'>;
  clock: () => Date;
}

/** Meta's allowance window: the new clients of the last `allowanceDays` days count (schedule.ts). */
export const allowanceWindowStart = (now: Date) => new Date(now.getTime() - SCHEDULE.clients.allowanceDays * 86_400_000);

export type ClientNewsOutcome =
  /** A client recorded for the first time; `weeklyCount`: its app's new clients over the last 7 days, this one included. */
  | { kind: 'recorded'; client: ClientRecord; weeklyCount: number }
  /** Recorded already (a repeat, the other join event, the daily pass): only who told us is noted. */
  | { kind: 'known'; client: ClientKey }
  /** Recorded, then gone, and now joined again (news newer than its leaving): NEW once more. */
  | { kind: 'rejoined'; client: ClientKey }
  /** Not through a solution of ours (or through none): never recorded, never acted on. */
  | { kind: 'not-ours'; solutionId?: string }
  | { kind: 'removed'; clients: ClientKey[] }
  /** A leave event for a WABA no record holds, or older than the records it names. */
  | { kind: 'unknown-client' }
  /** The client left another partner (removed another app, unshared the WABA from another business): not us. */
  | { kind: 'another-partner' };


/**
 * A client's news applied to its records: a join records it once (or notes the repeat); leaving us
 * (our app removed, or the WABA unshared from our business) moves it to REMOVED.
 */
export async function takeClientNews(news: ClientNews, deps: ClientNewsDeps, us: OurPartnerIds): Promise<ClientNewsOutcome> {
  if (news.kind === 'left') return leftUs(news, us) ? recordLeaving(news, deps) : { kind: 'another-partner' };
  if (news.solutionId === undefined) return { kind: 'not-ours' };
  return recordClient({ ...news, solutionId: news.solutionId, source: news.event }, deps);
}

/**
 * Records a client of one of our solutions once, all or nothing with its app's weekly count: a
 * solution is ours when a record of ours holds it live (accepted by us, or found live with us).
 * Anything else is not ours, and nothing is written.
 */
export async function recordClient(
  found: { solutionId: string; wabaId: string; ownerBusinessId: string; partnerAppId?: string; source: ClientSource; observedAt: Date },
  deps: ClientNewsDeps,
): Promise<ClientNewsOutcome> {
  const solution = ourLiveSolution(await deps.solutions.findBySolutionId(found.solutionId));
  if (!solution) return { kind: 'not-ours', solutionId: found.solutionId };
  const now = deps.clock();
  const key = { solutionId: found.solutionId, wabaId: found.wabaId };
  // Its leaving came first (out of order, or a late repeat): it joined and left, and is recorded gone.
  const left = await deps.clients.wabaLeft(found.wabaId);
  const gone = left !== undefined && found.observedAt.toISOString() <= left.leftAt;
  const client: ClientRecord = {
    ...key,
    ownerBusinessId: found.ownerBusinessId,
    appId: solution.appId,
    onboardingId: solution.onboardingId,
    ...(found.partnerAppId === undefined ? {} : { partnerAppId: found.partnerAppId }),
    status: gone ? 'REMOVED' : 'NEW',
    ...(gone ? { removedBy: left.event, removedAt: left.leftAt } : {}),
    toldBy: { [found.source]: found.observedAt.toISOString() },
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  if ((await deps.clients.recordNewClient(client)) === 'recorded') {
    return { kind: 'recorded', client, weeklyCount: await deps.clients.joinedSince(solution.appId, allowanceWindowStart(now)) };
  }
  await deps.clients.noteToldBy(key, found.source, found.observedAt, now);
  // Joining again is only news newer than a leaving: a repeat of a client that never left writes no more.
  if (left !== undefined && !gone && (await deps.clients.recordRejoined(key, found.source, found.observedAt, now))) return { kind: 'rejoined', client: key };
  return { kind: 'known', client: key };
}

/** The record that holds the solution live with us: the accepting onboarding's first. */
function ourLiveSolution(records: SolutionRecord[]): SolutionRecord | undefined {
  const live = records.filter((r) => LIVE.has(r.status));
  return live.find((r) => r.status === 'ACCEPTED') ?? live[0];
}

/**
 * The client left (the WABA unshared, or our app removed): each of its records moves to REMOVED,
 * unless the news is older than the first news of that record (a late delivery from before it joined).
 */
async function recordLeaving(news: Extract<ClientNews, { kind: 'left' }>, deps: ClientNewsDeps): Promise<ClientNewsOutcome> {
  const now = deps.clock();
  await deps.clients.noteWabaLeft(news.wabaId, news.event, news.observedAt);
  const removed: ClientKey[] = [];
  for (const client of await deps.clients.clientsOfWaba(news.wabaId)) {
    if (client.status === 'REMOVED' || news.observedAt.toISOString() < firstToldAt(client)) continue;
    const key = { solutionId: client.solutionId, wabaId: client.wabaId };
    if (await deps.clients.recordRemoved(key, news.event, news.observedAt, now)) removed.push(key);
  }
  return removed.length > 0 ? { kind: 'removed', clients: removed } : { kind: 'unknown-client' };
}

/** Another app removed, or the WABA unshared from another partner, leaves our records as they are. */
function leftUs(news: Extract<ClientNews, { kind: 'left' }>, us: OurPartnerIds): boolean {
  if (news.event === 'PARTNER_APP_UNINSTALLED') return news.partnerAppId === undefined || news.partnerAppId === us.partnerAppId;
  return news.partnerBusinessId === undefined || news.partnerBusinessId === us.businessId;
}

const firstToldAt = (client: ClientRecord) => Object.values(client.toldBy).sort()[0] ?? client.createdAt;
