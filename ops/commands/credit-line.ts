import { GraphError } from '../../lambdas/graph/graph-error';
import { ClientGraphClient } from '../../lambdas/graph/client-graph-client';
import { EXIT, OpsError } from '../ops-error';
import { errorText, table, type CommandResult } from '../format';
import { systemUserToken } from '../system-user-token';
import type { OpsTarget } from '../target';

/** `credit-line`: our business's credit lines, with the system-user token, so that ops can set CREDIT_LINE_ID. */
export async function creditLineCommand(target: Pick<OpsTarget, 'secrets' | 'config'>, fetchImpl: typeof fetch = fetch): Promise<CommandResult> {
  const { businessId, graph } = target.config;
  if (!businessId) throw OpsError.usage('credit-line needs our business portfolio ID: set BUSINESS_ID');
  let creditLines;
  try {
    // The pipeline's own Graph client: the token only in the Authorization header, cut from Graph's messages.
    creditLines = await new ClientGraphClient({ ...graph, fetch: fetchImpl }).creditLines(businessId, await systemUserToken(target));
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    const hint = error.isPermissionError ? ' (the system user needs business_management and Admin or Financial Editor on the business portfolio)' : '';
    throw new OpsError(EXIT.partly, `Graph refused to list the credit lines of business ${businessId}: ${errorText(error.details, true)}${hint}`);
  }
  const lines =
    creditLines.length === 0
      ? [`Business ${businessId} has no credit line on Graph: clients stay NOT_SHARED until one is set up and CREDIT_LINE_ID names it.`]
      : [...table(['CREDIT LINE ID', 'LEGAL ENTITY'], creditLines.map((c) => [c.id, c.legalEntityName ?? '-'])), '', 'Set CREDIT_LINE_ID (and CREDIT_CURRENCY) to the one clients are to share (docs/configuration.md).'];
  return { data: { businessId, creditLines }, lines, exitCode: EXIT.ok };
}
