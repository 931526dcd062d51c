import type { GraphClient, SolutionDetails } from '../graph/graph-client';
import { GraphError, type GraphErrorDetails } from '../graph/graph-error';
import type { RecordStore } from './records/record-store';
import type { AcceptSolutionOutcome, AcceptTrigger } from './accept-solution';
import { when } from './item-move';
import { type RecordedError, type SolutionRecord } from './records';
import { AWAITING_ACCEPT, LIVE, UNDER_WAY, UNSETTLED } from './status-sets';
import { followLifecycle, readNews, type LifecycleOutcome } from './solution-lifecycle';
import { TOKEN_EXPIRED } from './verify-onboarding';

export interface ReconcileDeps {
  store: Pick<
    RecordStore,
    | 'findByStatus'
    | 'appGuardHolder'
    | 'recordCreated'
    | 'recordCreateFailed'
    | 'recordNeverCreated'
    | 'recordExistingElsewhere'
    | 'getSolution'
    | 'recordLifecycle'
    | 'deferLifecyclePoll'
    | 'findVerifyingPast'
    | 'failVerification'
  >;
  graph: Pick<GraphClient, 'listAppSolutions' | 'getSolutionState'>;
  /** Whether the create queue holds messages waiting for a worker (SQS's approximate count). */
  createQueueHasBacklog: () => Promise<boolean>;
  /** The accept step (acceptSolution with its dependencies), for solutions whose next attempt is due. */
  accept: (item: { onboardingId: string; appId: string }, trigger: AcceptTrigger) => Promise<AcceptSolutionOutcome>;
  systemUserToken: () => Promise<string>;
  settings: {
    partnerAppId: string;
    /** How long past its `nextAttemptAt` an item under way counts as stalled (when no message waits in the queue). */
    stalledAfterMs: number;
    /** A CREATED solution that no accept attempt touched for this long was missed by the stream. */
    acceptHandoffMs: number;
    /** A live solution with no lifecycle news (webhook, or read) for this long is read again. */
    lifecyclePollAfterMs: number;
    /** Items one pass moves on, at most. */
    maxItemsPerPass: number;
    /** No new item is started with less time than this left (one item may make a few Graph calls). */
    minTimeLeftMs: number;
  };
  clock: () => Date;
  timeLeftMs: () => number;
}

export type ReconcileAction =
  /** Graph has the solution (an attempt made it and lost its answer, or died): recorded CREATED, the stream accepts it. */
  | { action: 'adopted'; solutionId: string }
  /** Nothing of it on Graph and no create message left: CREATE_FAILED, the Tech Provider runs the flow again. */
  | { action: 'abandoned'; error: RecordedError }
  /** Never created, and the app's live solution with us is another onboarding's. */
  | { action: 'existing'; solutionId: string }
  /**
   * Graph lists the item's name on more than one solution, or on another app's: none is one to adopt
   * or accept. CREATE_FAILED (`AMBIGUOUS_ON_GRAPH`) frees the app; a person looks at the solutions.
   */
  | { action: 'ambiguous'; solutionIds: string[]; error: RecordedError }
  /** Graph could not be asked this pass: the next one tries again. */
  | { action: 'lookup-failed'; error: GraphErrorDetails }
  /** A worker moved the item on meanwhile: the fenced write was refused, nothing changed. */
  | { action: 'moved-on' }
  | { action: 'accept'; result: AcceptSolutionOutcome }
  /** A live solution read again (webhooks may have failed): where it stands, applied like a webhook's news. */
  | { action: 'lifecycle'; graphStatus: string; result: LifecycleOutcome }
  /** Something other than Graph failed for this item (the table, the secret): the next pass tries again. */
  | { action: 'failed'; message: string };

export interface ReconciledItem {
  onboardingId: string;
  appId: string;
  solutionId?: string;
  /** The item's status when the pass found it. */
  status: SolutionRecord['status'];
  action: ReconcileAction;
}

export interface ReconcileReport {
  items: ReconciledItem[];
  /** VERIFYING onboardings whose token's lifetime ended before a check could be made: ended FAILED (TOKEN_EXPIRED). */
  expired: string[];
  /** Items found that no worker is moving on; more than one pass may handle. */
  found: number;
  /** The pass ran out of time or items before handling all it found: the next pass goes on. */
  incomplete: boolean;
}

/** No delivery coming, or one due before `overdue` that never came. */
const stalled = (overdue: string) => when.any(when.absent('nextAttemptAt'), when.le('nextAttemptAt', overdue));
const retryDue = (now: string) => when.le('nextAttemptAt', now);
const NEVER_TRIED = when.absent('nextAttemptAt');

/**
 * One pass of the reconciler: finds, through the `byStatus` index, the solutions that are neither
 * final nor progressing, and moves each one on.
 * - PENDING or CREATING, no attempt holding it, and no delivery of its create message coming: its
 *   `nextAttemptAt` was withdrawn (the message's receives are used up), or passed long ago while no
 *   message waits in the create queue (the message was lost). One that Graph already has (listed with
 *   our system-user token as `role=PARTNER` on our app, by its exact, unique name) is adopted; the
 *   rest end CREATE_FAILED (`CREATE_ABANDONED`): the Tech Provider's token went with the message.
 * - CREATED whose next accept attempt is due (a retry after a failure, or one the stream never got
 *   to): accepted, through the same claim as the stream's attempts.
 * - An onboarding still VERIFYING past its token's lifetime: FAILED (TOKEN_EXPIRED), first and cheap.
 * - Live (ACCEPTED, EXISTING, PENDING_DEACTIVATION) with no lifecycle news for
 *   `lifecyclePollAfterMs` (nothing written to it since: a webhook's news or the last read writes):
 *   read again on Graph and moved on as a webhook would move it (Meta's fallback when webhooks fail).
 *   Least urgent, so last.
 * Every write is the workers' own conditional transition, fenced by status and attempt number: a
 * worker that moved the item on meanwhile wins, and the pass changes nothing. Each pass is bounded by
 * `maxItemsPerPass` and the time left.
 */
export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  const now = deps.clock();
  const { settings } = deps;
  const limit = settings.maxItemsPerPass;
  const expired = await endExpiredChecks(now, limit, deps);
  const overdue = new Date(now.getTime() - settings.stalledAfterMs).toISOString();
  const underWay: SolutionRecord[] = [];
  for (const status of UNDER_WAY) underWay.push(...(await deps.store.findByStatus(status, { filter: stalled(overdue), limit })));
  const handoffBefore = new Date(now.getTime() - settings.acceptHandoffMs);
  const due: SolutionRecord[] = [];
  for (const status of AWAITING_ACCEPT) {
    due.push(...(await deps.store.findByStatus(status, { filter: retryDue(now.toISOString()), limit })));
    // Created before the handoff and never claimed: the stream did not get to it.
    due.push(...(await deps.store.findByStatus(status, { filter: NEVER_TRIED, updatedBefore: handoffBefore, limit })));
  }

  const quiet = new Date(now.getTime() - settings.lifecyclePollAfterMs);
  const live: SolutionRecord[] = [];
  // Solutions live with us, whose life Meta may change at any time.
  for (const status of LIVE) live.push(...(await deps.store.findByStatus(status, { updatedBefore: quiet, limit })));

  const lookups = new PassLookups(deps);
  const items: ReconciledItem[] = [];
  const hasTime = () => items.length < limit && deps.timeLeftMs() >= settings.minTimeLeftMs;
  const report = (item: SolutionRecord, action: ReconcileAction | undefined) => {
    if (action) items.push({ onboardingId: item.onboardingId, appId: item.appId, status: item.status, action, ...solutionIdOf(item, action) });
  };
  let handled = 0;
  // Due accepts first: each is one solution away from ready, and cheap; the lookups below may not be.
  for (const item of due) {
    if (!hasTime()) break;
    handled++;
    report(item, await isolated(() => acceptDue(item, handoffBefore, deps)));
  }
  for (const item of underWay) {
    if (!hasTime()) break;
    handled++;
    report(item, await isolated(async () => ((await lookups.messageGone(item, now)) ? settleUnderWay(item, lookups, deps) : undefined)));
  }
  for (const item of live) {
    // Graph failing a read for now (down, or throttling us) fails the others too: the next pass goes on.
    if (!hasTime() || lookups.graphTroubled) break;
    handled++;
    report(item, await isolated(() => pollLifecycle(item, lookups, deps)));
  }
  const found = underWay.length + due.length + live.length;
  return { items, expired, found, incomplete: handled < found };
}

/**
 * VERIFYING onboardings whose token's lifetime is over end FAILED (TOKEN_EXPIRED): their check can no
 * longer succeed, whatever became of their verify message (lost, parked, or still waiting on Graph).
 * Table writes only, no Graph call; fenced by the status, so a check that ended meanwhile wins.
 */
async function endExpiredChecks(now: Date, limit: number, deps: ReconcileDeps): Promise<string[]> {
  const expired: string[] = [];
  for (const onboarding of await deps.store.findVerifyingPast(now, limit)) {
    if (await deps.store.failVerification(onboarding.onboardingId, TOKEN_EXPIRED, now)) expired.push(onboarding.onboardingId);
  }
  return expired;
}

/**
 * Reads where a live solution stands and applies it to the record. Whatever the outcome, the record's
 * `updatedAt` moves on (the write of the news, or a deferral), so that the next read is a whole poll
 * period away: a status we cannot act on, or Graph refusing the read for good, would not change
 * within a minute. A read that fails for now is left to the next pass.
 */
async function pollLifecycle(item: SolutionRecord, lookups: PassLookups, deps: ReconcileDeps): Promise<ReconcileAction> {
  const observedAt = deps.clock();
  let state;
  try {
    state = await lookups.solutionState(item.solutionId!);
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    if (error.retryable) lookups.graphTroubled = true;
    else await deps.store.deferLifecyclePoll(item, observedAt);
    return { action: 'lookup-failed', error: error.details };
  }
  const result = await followLifecycle([item], readNews(item.solutionId!, state, observedAt), deps);
  if (result.outcome !== 'applied' || result.changes.length === 0) await deps.store.deferLifecyclePoll(item, observedAt);
  return { action: 'lifecycle', graphStatus: state.status, result };
}

async function acceptDue(item: SolutionRecord, handoffBefore: Date, deps: ReconcileDeps): Promise<ReconcileAction | undefined> {
  const result = await deps.accept(item, { kind: 'due', handoffBefore });
  return result.outcome === 'skipped' ? undefined : { action: 'accept', result };
}

/** One item's failure (other than Graph's, which each step handles) is that item's alone: the pass goes on. */
async function isolated(step: () => Promise<ReconcileAction | undefined>): Promise<ReconcileAction | undefined> {
  try {
    return await step();
  } catch (error) {
    return { action: 'failed', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

const solutionIdOf = (item: SolutionRecord, action: ReconcileAction) => {
  const solutionId = 'solutionId' in action ? action.solutionId : item.solutionId;
  return solutionId ? { solutionId } : {};
};

/** What one pass asks of SQS and Graph, each at most once. */
class PassLookups {
  private backlog?: Promise<boolean>;
  private partnerSolutions?: Promise<Map<string, SolutionDetails[]>>;
  /** By solution: an onboarding's record and another's EXISTING one share a read. */
  private readonly states = new Map<string, ReturnType<GraphClient['getSolutionState']>>();
  /** A read failed for now this pass: no more reads until the next one. */
  graphTroubled = false;

  constructor(private readonly deps: ReconcileDeps) {}

  /**
   * No attempt holds the item and none is coming: its lease (or the settling time of a create without
   * an answer) is over, and its message's receives are used up, or it was due long ago while no
   * message waits in the queue (a message in a backlog is not lost).
   */
  async messageGone(item: SolutionRecord, now: Date): Promise<boolean> {
    if ((item.leaseExpiresAt ?? 0) > now.getTime()) return false;
    if (!item.nextAttemptAt) return true;
    this.backlog ??= this.deps.createQueueHasBacklog();
    return !(await this.backlog);
  }

  /** Where a solution stands on Graph, read with the system-user token (either partner may read it). */
  solutionState(solutionId: string): ReturnType<GraphClient['getSolutionState']> {
    let state = this.states.get(solutionId);
    if (!state) {
      state = this.deps.systemUserToken().then((token) => this.deps.graph.getSolutionState(solutionId, token));
      this.states.set(solutionId, state);
    }
    return state;
  }

  /**
   * Every solution that invites our app, by name: our system-user token on our own app, `role=PARTNER`.
   * The listing may run to many pages: it is cut off where the pass must stop starting work.
   */
  async solutionsNamed(name: string): Promise<SolutionDetails[]> {
    this.partnerSolutions ??= (async () => {
      const token = await this.deps.systemUserToken();
      const budget = AbortSignal.timeout(Math.max(0, this.deps.timeLeftMs() - this.deps.settings.minTimeLeftMs));
      const byName = new Map<string, SolutionDetails[]>();
      for (const solution of await this.deps.graph.listAppSolutions(this.deps.settings.partnerAppId, 'PARTNER', token, budget)) {
        byName.set(solution.name, [...(byName.get(solution.name) ?? []), solution]);
      }
      return byName;
    })();
    return (await this.partnerSolutions).get(name) ?? [];
  }
}

async function settleUnderWay(item: SolutionRecord, lookups: PassLookups, deps: ReconcileDeps): Promise<ReconcileAction | undefined> {
  const { onboardingId, appId } = item;
  const now = deps.clock();
  const abandoned: RecordedError = {
    ...(item.lastError ?? { code: -1, message: 'The create message was gone before any attempt reached Facebook.' }),
    reason: 'CREATE_ABANDONED',
  };
  if (item.status === 'PENDING') {
    // Never claimed, so never sent to Graph; it holds no app guard. The app's holder decides.
    const { holder } = await deps.store.appGuardHolder(appId);
    if (holder && holder.onboardingId !== onboardingId) {
      if (LIVE.has(holder.status) && holder.solutionId) {
        const live = { ...holder, solutionId: holder.solutionId };
        return (await deps.store.recordExistingElsewhere(onboardingId, appId, live, now)) ? { action: 'existing', solutionId: holder.solutionId } : { action: 'moved-on' };
      }
      // The holder is still on its way: its outcome is this item's (EXISTING, or free to fail).
      if (UNSETTLED.has(holder.status)) return undefined;
    }
    // Fenced by the next attempt time it was found with: a delivery noted meanwhile keeps it alive.
    return (await deps.store.recordNeverCreated(onboardingId, appId, abandoned, now, item.nextAttemptAt)) ? { action: 'abandoned', error: abandoned } : { action: 'moved-on' };
  }

  let named: SolutionDetails[];
  try {
    named = await lookups.solutionsNamed(item.solutionName);
  } catch (error) {
    if (error instanceof GraphError) return { action: 'lookup-failed', error: error.details };
    throw error;
  }
  // Only we know this name (it ends in a random suffix): one solution bearing it, owned by the
  // item's app, is the one an attempt made. Anything else is for a person to look at.
  if (named.length > 1 || (named[0] && named[0].ownerAppId !== appId)) {
    const solutionIds = named.map((s) => s.id);
    const ambiguous: RecordedError = { code: -1, message: `Graph lists this solution's name on solutions ${solutionIds.join(', ')}; none was adopted.`, reason: 'AMBIGUOUS_ON_GRAPH' };
    return (await deps.store.recordCreateFailed(onboardingId, appId, item.attempts, ambiguous, now)) ? { action: 'ambiguous', solutionIds, error: ambiguous } : { action: 'moved-on' };
  }
  const [onGraph] = named;
  if (onGraph) {
    return (await deps.store.recordCreated(onboardingId, appId, item.attempts, onGraph.id, now)) ? { action: 'adopted', solutionId: onGraph.id } : { action: 'moved-on' };
  }
  return (await deps.store.recordCreateFailed(onboardingId, appId, item.attempts, abandoned, now)) ? { action: 'abandoned', error: abandoned } : { action: 'moved-on' };
}
