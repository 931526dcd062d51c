import { SOLUTION_STATUS, type GraphClient } from '../graph/graph-client';
import { GraphError, unexpectedAnswerGraphError, type GraphErrorDetails } from '../graph/graph-error';
import type { OnboardingStore } from '../store/onboarding-store';
import type { SolutionStatus } from './records';

export interface AcceptSolutionDeps {
  store: Pick<OnboardingStore, 'getSolution' | 'recordAccepted' | 'recordAcceptFailed'>;
  graph: Pick<GraphClient, 'acceptSolution' | 'getSolution'>;
  /** Our Solution Partner app: the one we accept as. */
  settings: { partnerAppId: string };
  /** The Solution Partner's system-user token, from a cached secret. */
  systemUserToken: () => Promise<string>;
  clock: () => Date;
}

export type AcceptSolutionOutcome =
  | { outcome: 'accepted'; alreadyAccepted: boolean }
  | { outcome: 'failed'; error: GraphErrorDetails }
  | { outcome: 'skipped'; status: SolutionStatus | 'MISSING' };

/** Our status in the solution's `partners` edge once we accepted. */
const PARTNER_ACCEPTED = 'ACCEPTED';
/** Graph's refusal of an accept because the solution is no longer INITIATED. */
const NOT_INITIATED_SUBCODE = 2207051;

/**
 * Accepts a solution that just became CREATED, as our app, with the system-user token. A duplicate
 * stream record finds the item no longer CREATED and does nothing. When Graph refuses the accept,
 * the solution is read: if its partners edge shows that we already accepted it (an earlier attempt's
 * accept went through, its answer lost), it is recorded ACCEPTED. Retryable Graph errors are
 * rethrown for the stream to retry; permanent ones end in ACCEPT_FAILED with Graph's error kept.
 */
export async function acceptSolution(item: { onboardingId: string; appId: string }, deps: AcceptSolutionDeps): Promise<AcceptSolutionOutcome> {
  const current = await deps.store.getSolution(item.onboardingId, item.appId);
  if (current?.status !== 'CREATED' || !current.solutionId) return { outcome: 'skipped', status: current?.status ?? 'MISSING' };

  const token = await deps.systemUserToken();
  try {
    await deps.graph.acceptSolution(current.solutionId, deps.settings.partnerAppId, token);
    await deps.store.recordAccepted(item.onboardingId, item.appId, deps.clock());
    return { outcome: 'accepted', alreadyAccepted: false };
  } catch (error) {
    if (!(error instanceof GraphError) || error.retryable) throw error;
    if (await alreadyAcceptedByUs(current.solutionId, error, token, deps)) {
      await deps.store.recordAccepted(item.onboardingId, item.appId, deps.clock());
      return { outcome: 'accepted', alreadyAccepted: true };
    }
    await deps.store.recordAcceptFailed(item.onboardingId, item.appId, error.details, deps.clock());
    return { outcome: 'failed', error: error.details };
  }
}

/**
 * Whether the solution is live with our accept: ACTIVE with us among its partners, or still
 * INITIATED (other partners pending) with our entry ACCEPTED. A solution that moved on to REJECTED
 * or DEACTIVATED is not one to report as ready, whatever our entry says.
 */
async function alreadyAcceptedByUs(solutionId: string, refusal: GraphError, token: string, deps: AcceptSolutionDeps): Promise<boolean> {
  try {
    const solution = await deps.graph.getSolution(solutionId, token);
    const us = solution.partners.find((p) => p.appId === deps.settings.partnerAppId);
    if (us && solution.status === SOLUTION_STATUS.active) return true;
    if (solution.status !== SOLUTION_STATUS.initiated) return false;
    if (us?.status === PARTNER_ACCEPTED) return true;
    // Refused as no longer INITIATED, yet read as INITIATED: one of the two answers is stale.
    if (refusal.details.subcode === NOT_INITIATED_SUBCODE) {
      throw unexpectedAnswerGraphError(`Graph refused the accept of solution ${solutionId} as no longer INITIATED, yet reads it INITIATED`);
    }
    return false;
  } catch (error) {
    // A permanent failure to confirm leaves the accept error as the one worth keeping; a transient
    // one is retried with the whole record.
    if (error instanceof GraphError && !error.retryable) return false;
    throw error;
  }
}
