import { PENDING_DEACTIVATION, SOLUTION_STATUS, type CreateSolutionRequest, type GraphClient, type SolutionDetails } from '../graph/graph-client';
import { GraphError, unexpectedAnswerGraphError, type GraphErrorDetails } from '../graph/graph-error';
import type { CreateSolutionMessage } from '../queue/create-solution-message';
import type { RetryPolicy } from '../schedule';
import type { RecordStore } from './records/record-store';
import type { SolutionRecord } from './records';
import type { SolutionStatus } from './solution-status';
import { askOf, retryDelaySeconds } from './retry-policy';

export interface CreateSolutionDeps {
  store: Pick<RecordStore, 'claimForCreate' | 'recordCreated' | 'recordExistingFound' | 'recordExistingElsewhere' | 'recordCreateFailed' | 'releaseCreateLease' | 'findBySolutionId'>;
  graph: Pick<GraphClient, 'createSolution' | 'listAppSolutions'>;
  settings: {
    partnerAppId: string;
    ownerPermissions: string[];
    partnerPermissions: string[];
    /** How long one attempt may hold the solution; at least the worker's timeout. */
    createLeaseMs: number;
    /** When a message comes back if its attempt dies: the queue's visibility timeout. */
    redeliveryMs: number;
    /** When a message for a solution another attempt holds comes back at the latest (schedule.ts). */
    busyRetryMs: number;
    /**
     * List the app's solutions even before a fresh item's first create, to find one made in Meta's
     * dashboard (off: a call saved per solution; the app's live solutions made by us are known
     * from our own records).
     */
    listBeforeFirstCreate: boolean;
    /** The schedule's create backoff (schedule.ts): when the next attempt comes after a retryable Graph error. */
    backoff: RetryPolicy;
    /** How long a create call that ended without an answer may still take on Graph's side (schedule.ts). */
    unknownCreateSettleSeconds: number;
  };
  clock: () => Date;
  random?: () => number;
}

/** What the queue tells about this delivery of the message. */
export interface CreateDelivery {
  /** No further delivery will follow if this one fails: the message goes to the DLQ. */
  final: boolean;
}

export type CreateSolutionOutcome =
  /** `how`: made now, or adopted from Graph (ours from an earlier attempt, or awaiting our accept). */
  | { outcome: 'created'; solutionId: string; how: 'created' | 'adopted' }
  /** The app already has a live solution with us; nothing was created. */
  | { outcome: 'existing'; solutionId: string }
  | { outcome: 'failed'; error: GraphErrorDetails }
  | { outcome: 'skipped'; status: SolutionStatus | 'MISSING' }
  /** This attempt made a solution on Graph but lost its claim before recording it: ops must look. */
  | { outcome: 'orphaned'; solutionId: string }
  /** Another attempt holds this solution (or this app) right now: the message must come back after `retryAfterSeconds`, when the holder may have moved on. */
  | { outcome: 'busy'; retryAfterSeconds: number }
  | CreateRetry;

/**
 * A create attempt failed in a way worth retrying, and its record says when the next one comes
 * (`nextAttemptAt`): the message must come back after `delaySeconds`. `outcomeUnknown`: the create
 * call ended without an answer we can trust (none, a 5xx, a success we cannot read, an error Graph
 * calls transient), so Graph may have made the solution or still be making it; the next attempt
 * waits until it would have appeared, then finds it by name instead of making a second.
 */
export interface CreateRetry {
  outcome: 'retry';
  delaySeconds: number;
  graphError: GraphError;
  outcomeUnknown: boolean;
  /** This was the message's last delivery: no retry comes, the reconciler settles the item. */
  lastDelivery: boolean;
}

/**
 * Creates the solution for one (onboarding, app) exactly once in effect.
 *
 * A duplicate message finds the item claimed or settled and changes nothing; an app whose live
 * solution one of our records holds is EXISTING without a Graph call (the claim's app guard). On a
 * fresh item's first attempt nothing of ours can be on Graph yet, and the solution is created at
 * once. Any later attempt (or one that took the app over from another onboarding's failed item)
 * first lists the app's solutions on Graph: a solution that invites our app (its partners edge) and
 * has this item's exact (unique) name was made by an earlier attempt that died before recording it,
 * and is adopted; an ACTIVE one with us means the app is already connected (EXISTING, or
 * PENDING_DEACTIVATION if its owner asked to end it); an INITIATED one with us that another of our
 * records holds awaits our accept and is adopted. Only then is a new solution created.
 * A transient or throttled Graph error schedules the next attempt on the record and returns it
 * (`retry`), for the queue to redeliver after that wait; a permanent one ends in CREATE_FAILED with
 * Graph's error kept. A solution another attempt holds returns `busy`.
 */
export async function createSolution(message: CreateSolutionMessage, deps: CreateSolutionDeps, delivery: CreateDelivery = { final: false }): Promise<CreateSolutionOutcome> {
  const { onboardingId, appId, accessToken } = message;
  const timing = { leaseMs: deps.settings.createLeaseMs, redeliveryMs: deps.settings.redeliveryMs, busyRetryMs: deps.settings.busyRetryMs };
  const claim = await deps.store.claimForCreate(onboardingId, appId, deps.clock(), timing);
  switch (claim.kind) {
    case 'settled':
      return { outcome: 'skipped', status: claim.record?.status ?? 'MISSING' };
    case 'busy':
      return { outcome: 'busy', retryAfterSeconds: Math.ceil(claim.retryInMs / 1000) };
    case 'existing':
      await deps.store.recordExistingElsewhere(onboardingId, appId, claim.holder, deps.clock());
      return { outcome: 'existing', solutionId: claim.holder.solutionId };
  }

  const { record, attempt } = claim;
  const mayBeOnGraph = attempt > 1 || claim.tookOverGuard || deps.settings.listBeforeFirstCreate;
  let createSent = false;
  try {
    const onGraph = mayBeOnGraph ? await findOnGraph(record, accessToken, deps) : undefined;
    if (onGraph?.status === SOLUTION_STATUS.active && onGraph.name !== record.solutionName) {
      const deactivationPending = onGraph.statusForPendingRequest === PENDING_DEACTIVATION;
      await deps.store.recordExistingFound(onboardingId, appId, attempt, { id: onGraph.id, deactivationPending }, deps.clock());
      return { outcome: 'existing', solutionId: onGraph.id };
    }
    let solutionId = onGraph?.id;
    if (!solutionId) {
      createSent = true;
      solutionId = await deps.graph.createSolution(appId, createRequest(record, deps.settings), accessToken);
    }
    const adoptedName = onGraph && onGraph.name !== record.solutionName ? onGraph.name : undefined;
    if (!(await deps.store.recordCreated(onboardingId, appId, attempt, solutionId, deps.clock(), adoptedName))) {
      return { outcome: 'orphaned', solutionId };
    }
    return { outcome: 'created', solutionId, how: onGraph ? 'adopted' : 'created' };
  } catch (error) {
    // Anything else (a DynamoDB failure, say) keeps the lease: the next attempt comes in when it ends.
    if (!(error instanceof GraphError)) throw error;
    if (error.retryable) return scheduleRetry(record, attempt, error, createSent, delivery, deps);
    await deps.store.recordCreateFailed(onboardingId, appId, attempt, error.details, deps.clock());
    return { outcome: 'failed', error: error.details };
  }
}

/**
 * Notes on the record when the next attempt comes (or that none will), and lets the next attempt in
 * once whatever this one started has settled. Only a throttling refusal says for sure that Graph did
 * nothing with a create call that was sent.
 */
async function scheduleRetry(record: SolutionRecord, attempt: number, error: GraphError, createSent: boolean, delivery: CreateDelivery, deps: CreateSolutionDeps): Promise<CreateRetry> {
  const now = deps.clock();
  const outcomeUnknown = createSent && error.errorClass !== 'throttled';
  const settleSeconds = outcomeUnknown ? deps.settings.unknownCreateSettleSeconds : 0;
  const ask = askOf(error);
  const delaySeconds = retryDelaySeconds(deps.settings.backoff, attempt, { ...ask, retryAfterSeconds: Math.max(settleSeconds, ask.retryAfterSeconds ?? 0) }, deps.random);
  await deps.store.releaseCreateLease(record.onboardingId, record.appId, attempt, error.details, now, {
    notBefore: settleSeconds ? now.getTime() + settleSeconds * 1000 : 0,
    nextAttempt: delivery.final ? undefined : new Date(now.getTime() + delaySeconds * 1000),
  });
  return { outcome: 'retry', delaySeconds, graphError: error, outcomeUnknown, lastDelivery: delivery.final };
}

/**
 * This item's own solution first (its exact name), then a live one with us, then one awaiting our
 * accept that another onboarding of ours made (it failed to accept it, say): that one is adopted
 * under its own name, which the check before accepting compares. One made elsewhere (in Meta's
 * dashboard) is not what we asked for, and is left alone: a new one is created.
 */
async function findOnGraph(record: SolutionRecord, accessToken: string, deps: CreateSolutionDeps): Promise<SolutionDetails | undefined> {
  const listed = await deps.graph.listAppSolutions(record.appId, 'OWNER', accessToken);
  const withUs = listed.filter((s) => s.ownerAppId === record.appId && s.partners.some((p) => p.appId === deps.settings.partnerAppId));
  const ours = withUs.find((s) => s.name === record.solutionName);
  // Only we know this name (it ends in a random suffix), so a solution bearing it was made by us;
  // an answer that shows it as another app's, or without us among its partners, is not one to
  // create a second on.
  const namesake = listed.find((s) => s.name === record.solutionName);
  if (!ours && namesake) {
    throw unexpectedAnswerGraphError(`Graph lists solution ${namesake.id}, named as this item, but not as this app's with our app among its partners`);
  }
  const live = ours ?? withUs.find((s) => s.status === SOLUTION_STATUS.active);
  if (live) return live;
  for (const awaiting of withUs.filter((s) => s.status === SOLUTION_STATUS.initiated)) {
    if ((await deps.store.findBySolutionId(awaiting.id)).length > 0) return awaiting;
  }
  return undefined;
}

function createRequest(record: SolutionRecord, settings: CreateSolutionDeps['settings']): CreateSolutionRequest {
  return {
    ownerPermissions: settings.ownerPermissions,
    partnerAppId: settings.partnerAppId,
    partnerPermissions: settings.partnerPermissions,
    solutionName: record.solutionName,
  };
}
