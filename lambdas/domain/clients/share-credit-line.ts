import type { ClientGraphClient } from '../../graph/client-graph-client';
import { GraphError } from '../../graph/graph-error';
import type { RetryPolicy } from '../../schedule';
import { askOf, retryDelaySeconds } from '../retry-policy';
import { wakeWhenDue, type Wake } from '../wake';
import type { ClientStore } from './client-records';
import type { ClientError, ClientKey, ClientRecord } from './client-record';

export interface ShareCreditDeps {
  clients: Pick<ClientStore, 'claimShare' | 'recordShared' | 'recordShareRetry' | 'recordShareFailed' | 'recordNotShared'>;
  graph: Pick<ClientGraphClient, 'businessToken' | 'wabaFunding' | 'assignSystemUser' | 'shareCreditLine' | 'allocationCredential' | 'clientAllocations'>;
  settings: {
    systemUserId: string;
    /** Our credit line and the currency it is shared in; none: sharing is off. */
    creditLine: { id: string; currency: string } | undefined;
    /** Our permissions in our solutions: `MANAGE` on a client's WABA needs MESSAGING among them. */
    partnerPermissions: readonly string[];
    leaseMs: number;
    retryPeriodMs: number;
    backoff: RetryPolicy;
  };
  systemUserToken: () => Promise<string>;
  /** Wakes the client when its scheduled retry is due (best effort: the reconciler is the net). */
  wake: Wake<ClientKey>;
  clock: () => Date;
  random?: () => number;
}

export type ShareOutcome =
  | { outcome: 'shared'; alreadyOurs: boolean; allocationConfigId: string; attempt: number }
  /** `gaveUp`: retried for the whole retry period; otherwise refused for good, or another line is on the WABA. */
  | { outcome: 'failed'; error: ClientError; gaveUp: boolean; attempt: number }
  /** `wakeFailed`: the retry's wake-up could not be sent. */
  | { outcome: 'retrying'; error: ClientError; attempt: number; nextAttemptAt: string; wakeFailed?: string }
  | { outcome: 'not-shared' }
  /** Not NEW (a repeated stream record, another attempt holds it, it left), or it moved on during this attempt. */
  | { outcome: 'skipped' };

/** Where our line stands on the WABA after an attempt's calls. */
type Placement = { kind: 'ours'; allocationConfigId: string; fundingId: string; alreadyOurs: boolean } | { kind: 'other-line' } | { kind: 'unverified'; allocationConfigId: string };

const conclusion = (reason: ClientError['reason'], message: string): ClientError => ({ code: -1, message, reason });

/**
 * Shares our credit line with a NEW client, once in effect (docs/design.md §7): the attempt claims
 * the client, reads the client's business token from the solution (used for this attempt only, never
 * kept), and looks at the WABA's funding first: our line there already (an earlier attempt's answer
 * lost, or Meta's own sharing) is CREDIT_SHARED without a second share; another partner's is
 * CREDIT_FAILED `OTHER_CREDIT_LINE`, since Meta never changes an attached line. Otherwise our system
 * user is put on the WABA, the line shared and attached, and the allocation verified against the
 * WABA's funding. Transient and throttled failures retry from the record as accepts do (backoff, a
 * wake-up re-arms it when due, the reconciler if none came); permanent ones end CREDIT_FAILED with
 * Graph's error.
 */
export async function shareCreditLine(key: ClientKey, deps: ShareCreditDeps): Promise<ShareOutcome> {
  const line = deps.settings.creditLine;
  if (!line) {
    const error = conclusion('NO_CREDIT_LINE', 'No credit line is configured (CREDIT_LINE_ID): nothing is shared.');
    return (await deps.clients.recordNotShared(key, error, deps.clock())) ? { outcome: 'not-shared' } : { outcome: 'skipped' };
  }
  const claim = await deps.clients.claimShare(key, deps.clock(), { leaseMs: deps.settings.leaseMs, retryPeriodMs: deps.settings.retryPeriodMs });
  if (!claim) return { outcome: 'skipped' };
  const { record, attempt } = claim;
  const answered = { allocationConfigId: record.allocationConfigId };
  try {
    const token = await deps.systemUserToken();
    const placement = await placeOurLine(record, line, token, deps, answered);
    if (placement.kind === 'ours') {
      const { kind: _kind, ...shared } = placement;
      if (!(await deps.clients.recordShared(key, attempt, shared, deps.clock()))) return { outcome: 'skipped' };
      return { outcome: 'shared', alreadyOurs: placement.alreadyOurs, allocationConfigId: placement.allocationConfigId, attempt };
    }
    if (placement.kind === 'other-line') {
      return fail(record, attempt, conclusion('OTHER_CREDIT_LINE', "The WABA is funded by another partner's credit line, which Meta never changes: ours was not shared."), false, deps);
    }
    return retryOrGiveUp(record, attempt, conclusion('NOT_VERIFIED', `Allocation ${placement.allocationConfigId} is not yet the WABA's funding.`), {}, deps, answered.allocationConfigId);
  } catch (error) {
    // Anything but Graph (the secret, the table) keeps the claim: the reconciler re-arms it when its lease ends.
    if (!(error instanceof GraphError)) throw error;
    if (!error.retryable) return fail(record, attempt, { ...error.details, reason: 'GRAPH_REFUSED' }, false, deps, answered.allocationConfigId);
    return retryOrGiveUp(record, attempt, error.details, askOf(error), deps, answered.allocationConfigId);
  }
}

async function placeOurLine(
  client: ClientRecord,
  line: { id: string; currency: string },
  token: string,
  deps: ShareCreditDeps,
  answered: { allocationConfigId?: string },
): Promise<Placement> {
  const businessToken = await deps.graph.businessToken(client.solutionId, client.ownerBusinessId, token);
  const funding = await deps.graph.wabaFunding(client.wabaId, businessToken);
  if (funding !== undefined) return existingLine(client, line, funding, token, deps);
  // An earlier attempt's share was answered, but the WABA showed no funding yet: never a second share.
  if (client.allocationConfigId !== undefined) return { kind: 'unverified', allocationConfigId: client.allocationConfigId };
  await deps.graph.assignSystemUser(client.wabaId, deps.settings.systemUserId, systemUserTasks(deps.settings.partnerPermissions), token);
  let allocationConfigId: string;
  try {
    allocationConfigId = await deps.graph.shareCreditLine(line.id, client.wabaId, line.currency, token);
  } catch (error) {
    // Refused: a line attached since we looked (another attempt's, or Meta's own sharing) is done if it is ours.
    if (!(error instanceof GraphError) || error.retryable) throw error;
    const fundingNow = await deps.graph.wabaFunding(client.wabaId, businessToken);
    if (fundingNow === undefined) throw error;
    return existingLine(client, line, fundingNow, token, deps);
  }
  answered.allocationConfigId = allocationConfigId;
  const credential = await deps.graph.allocationCredential(allocationConfigId, token);
  const fundingNow = await deps.graph.wabaFunding(client.wabaId, businessToken);
  if (credential !== undefined && credential === fundingNow) return { kind: 'ours', allocationConfigId, fundingId: fundingNow, alreadyOurs: false };
  return { kind: 'unverified', allocationConfigId };
}

/** A WABA already funded: by one of our line's allocations to the client's business, or by another line. */
async function existingLine(client: ClientRecord, line: { id: string }, funding: string, token: string, deps: ShareCreditDeps): Promise<Placement> {
  for (const allocationConfigId of await deps.graph.clientAllocations(line.id, client.ownerBusinessId, token)) {
    if ((await deps.graph.allocationCredential(allocationConfigId, token)) === funding) return { kind: 'ours', allocationConfigId, fundingId: funding, alreadyOurs: true };
  }
  return { kind: 'other-line' };
}

/** `MANAGE` works only when our app holds MESSAGING in the solution; otherwise the one task credit sharing needs. */
export function systemUserTasks(partnerPermissions: readonly string[]): string[] {
  return partnerPermissions.includes('MESSAGING') ? ['MANAGE'] : ['MANAGE_BILLING'];
}

async function fail(client: ClientRecord, attempt: number, error: ClientError, gaveUp: boolean, deps: ShareCreditDeps, allocationConfigId?: string): Promise<ShareOutcome> {
  if (!(await deps.clients.recordShareFailed(client, attempt, error, deps.clock(), allocationConfigId))) return { outcome: 'skipped' };
  return { outcome: 'failed', error, gaveUp, attempt };
}

/** The next attempt after backoff, no sooner than Graph asks, woken then; past the retry period, CREDIT_FAILED. */
async function retryOrGiveUp(client: ClientRecord, attempt: number, error: ClientError, ask: ReturnType<typeof askOf>, deps: ShareCreditDeps, allocationConfigId?: string): Promise<ShareOutcome> {
  const now = deps.clock();
  const next = new Date(now.getTime() + retryDelaySeconds(deps.settings.backoff, attempt, ask, deps.random) * 1000);
  if (client.shareRetryUntil !== undefined && next.toISOString() > client.shareRetryUntil) {
    return fail(client, attempt, { ...error, reason: error.reason === 'NOT_VERIFIED' ? 'NOT_VERIFIED' : 'RETRY_PERIOD_OVER' }, true, deps, allocationConfigId);
  }
  if (!(await deps.clients.recordShareRetry(client, attempt, error, now, next, allocationConfigId))) return { outcome: 'skipped' };
  const woken = await wakeWhenDue(deps.wake, { solutionId: client.solutionId, wabaId: client.wabaId }, next);
  return { outcome: 'retrying', error, attempt, nextAttemptAt: next.toISOString(), ...woken };
}

/**
 * A wake-up for a client's retry, due at `dueAt`: the client goes back to NEW for the stream to hand
 * to the worker, as the reconciler re-arms a due one (the worker's claim, from NEW only, lets one
 * attempt through), and only while that retry is the one pending (its `nextAttemptAt`): a client
 * shared, failed, left or claimed again since is left alone. Whether it was re-armed.
 */
export function wakeShare(wake: ClientKey & { dueAt: string }, deps: { clients: Pick<ClientStore, 'rearmShare'>; clock: () => Date }): Promise<boolean> {
  return deps.clients.rearmShare({ solutionId: wake.solutionId, wabaId: wake.wabaId, nextAttemptAt: wake.dueAt }, deps.clock());
}
