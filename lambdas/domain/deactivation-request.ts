import type { GraphClient } from '../graph/graph-client';
import { takeLifecycleNews, type LifecycleDeps, type LifecycleOutcome } from './solution-lifecycle';

export interface DeactivationDecisionDeps extends LifecycleDeps {
  graph: Pick<GraphClient, 'decideDeactivationRequest' | 'getSolutionState'>;
  systemUserToken: () => Promise<string>;
}

export type DeactivationDecision = 'accept' | 'reject';

export type DeactivationDecisionOutcome =
  /** Graph took the decision; `result` is what the records did with where the solution then stood. */
  | { outcome: 'decided'; graphStatus: string; pendingRequest?: string; result: LifecycleOutcome }
  /** No record holds this solution: not one of ours to decide on. */
  | { outcome: 'unknown-solution' };

/**
 * Our answer to a Tech Provider's request to deactivate a solution (graph-api.md "Other solution
 * calls"): accepted, the solution is DEACTIVATED; rejected, it stays ACTIVE. Only for a solution a
 * record holds. Graph's refusal (no pending request, say) is thrown as its GraphError. The records
 * follow at once, from a read of the solution right after, as the webhook would move them.
 */
export async function decideDeactivationRequest(solutionId: string, decision: DeactivationDecision, deps: DeactivationDecisionDeps): Promise<DeactivationDecisionOutcome> {
  const records = await deps.store.findBySolutionId(solutionId);
  if (records.length === 0) return { outcome: 'unknown-solution' };
  const token = await deps.systemUserToken();
  await deps.graph.decideDeactivationRequest(solutionId, decision, token);
  const observedAt = deps.clock();
  const state = await deps.graph.getSolutionState(solutionId, token);
  const result = await takeLifecycleNews({ solutionId, state: { status: state.status, pendingRequest: state.statusForPendingRequest }, observedAt }, deps);
  return { outcome: 'decided', graphStatus: state.status, pendingRequest: state.statusForPendingRequest, result };
}
