import type { GraphClient } from '../graph/graph-client';
import { GraphError, type GraphErrorDetails } from '../graph/graph-error';
import { readNews, takeLifecycleNews, type LifecycleDeps, type LifecycleOutcome } from './solution-lifecycle';

export interface DeactivationDecisionDeps extends LifecycleDeps {
  graph: Pick<GraphClient, 'decideDeactivationRequest' | 'getSolutionState'>;
  systemUserToken: () => Promise<string>;
}

export type DeactivationDecision = 'accept' | 'reject';

/** Where the solution stood when read right after, and what its records did with that; or why it could not be read. */
export type ReadAfter = { graphStatus: string; pendingRequest?: string; result: LifecycleOutcome } | { failed: GraphErrorDetails };

export type DeactivationDecisionOutcome =
  /** Graph took the decision. */
  | { outcome: 'decided'; after: ReadAfter }
  /** Graph refused it (no request pending, say): its error, and where the solution stands. */
  | { outcome: 'refused'; error: GraphErrorDetails; after: ReadAfter }
  /** No record holds this solution: not one of ours to decide on. */
  | { outcome: 'unknown-solution' };

/**
 * Our answer to a Tech Provider's request to deactivate a solution (docs/graph-api.md "Other solution
 * calls"): accepted, the solution is DEACTIVATED; rejected, it stays ACTIVE. Only for a solution a
 * record holds. Either way, refused or not, the solution is read right after and its records follow
 * at once, as a read (whose news holds for its whole second): a record left behind by webhooks is
 * repaired by the same command. A decision that got no answer is thrown as its GraphError: whether
 * it was taken is unknown, and reading again (or the webhook) will tell.
 */
export async function decideDeactivationRequest(solutionId: string, decision: DeactivationDecision, deps: DeactivationDecisionDeps): Promise<DeactivationDecisionOutcome> {
  if ((await deps.store.findBySolutionId(solutionId)).length === 0) return { outcome: 'unknown-solution' };
  const token = await deps.systemUserToken();
  try {
    await deps.graph.decideDeactivationRequest(solutionId, decision, token);
  } catch (error) {
    if (!(error instanceof GraphError) || error.retryable) throw error;
    return { outcome: 'refused', error: error.details, after: await readAfter(solutionId, token, deps) };
  }
  return { outcome: 'decided', after: await readAfter(solutionId, token, deps) };
}

async function readAfter(solutionId: string, token: string, deps: DeactivationDecisionDeps): Promise<ReadAfter> {
  const observedAt = deps.clock();
  let state;
  try {
    state = await deps.graph.getSolutionState(solutionId, token);
  } catch (error) {
    if (error instanceof GraphError) return { failed: error.details };
    throw error;
  }
  return { graphStatus: state.status, pendingRequest: state.statusForPendingRequest, result: await takeLifecycleNews(readNews(solutionId, state, observedAt), deps) };
}
