import { decideDeactivationRequest, type DeactivationDecision, type DeactivationDecisionOutcome } from '../../lambdas/domain/deactivation-request';
import { GraphClient } from '../../lambdas/graph/graph-client';
import { GraphError } from '../../lambdas/graph/graph-error';
import { EXIT, OpsError } from '../ops-error';
import { errorText, type CommandResult } from '../format';
import { systemUserToken } from '../system-user-token';
import type { OpsTarget } from '../target';

/** What Graph said to the decision, where the solution stands, and what the records did. */
function report(solutionId: string, decision: DeactivationDecision, result: Exclude<DeactivationDecisionOutcome, { outcome: 'unknown-solution' }>): string[] {
  const lines = result.outcome === 'refused' ? [`Graph refused: ${errorText(result.error, true)}`] : [`Deactivation request of solution ${solutionId} ${decision === 'accept' ? 'accepted' : 'rejected'}.`];
  const { after } = result;
  if ('failed' in after) return [...lines, `Could not read the solution afterwards (${errorText(after.failed, true)}): its records follow with Meta's webhook, or the reconciler's next read.`];
  lines.push(`On Graph it is now ${after.graphStatus}${after.pendingRequest && after.pendingRequest !== 'NONE' ? ` (${after.pendingRequest})` : ''}.`);
  const changes = after.result.outcome === 'applied' ? after.result.changes.filter((c) => c.from !== c.to) : [];
  for (const change of changes) lines.push(`  onboarding ${change.onboardingId}, app ${change.appId}: ${change.from} → ${change.to}`);
  if (changes.length === 0) lines.push('  Its records already show it.');
  return lines;
}

/**
 * `deactivation accept|reject <solutionId>`: our answer to a Tech Provider's request to deactivate a
 * solution (DeactivationRequestedAlarm), with the system-user token from Secrets Manager; the records
 * follow at once, even when Graph refuses (exit 1: no request pending, say, because it was decided already).
 */
export async function deactivationCommand(target: OpsTarget, decision: DeactivationDecision, solutionId: string, clock: () => Date): Promise<CommandResult> {
  let result: DeactivationDecisionOutcome;
  try {
    result = await decideDeactivationRequest(solutionId, decision, { store: target.store, graph: new GraphClient(target.config.graph), systemUserToken: () => systemUserToken(target), clock });
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    // Graph gave no usable answer to the decision: it may or may not have been taken.
    throw new OpsError(
      EXIT.partly,
      `Graph did not answer (${errorText(error.details, true)}): whether it took the decision is unknown. Run the command again: Graph refuses a decision already taken, and the records follow either way.`,
    );
  }
  if (result.outcome === 'unknown-solution') throw OpsError.notFound(`no record holds solution ${solutionId}: not one of ours to decide on`);
  return { data: { solutionId, decision, ...result }, lines: report(solutionId, decision, result), exitCode: result.outcome === 'refused' ? EXIT.partly : EXIT.ok };
}
