import { z } from 'zod';
import { classifyGraphError, GraphError } from '../lambdas/graph/graph-error';
import type { OpsTarget } from './target';

/**
 * Our business's credit lines on Graph (`GET /{BUSINESS_ID}/extendedcredits`), for ops to choose
 * CREDIT_LINE_ID. The Graph client has no call for it (only ops needs it), so it is made here by the
 * client's rule: the token only in the Authorization header, never in a URL, a message or the output.
 */
export interface CreditLine {
  id: string;
  legalEntityName?: string;
}

/** A business has a few credit lines: one page of Graph's largest, and a sign when there is more. */
const PAGE_LIMIT = '100';

const answerSchema = z.object({
  data: z.array(z.object({ id: z.string(), legal_entity_name: z.string().optional() })),
  paging: z.object({ next: z.string().optional() }).optional(),
});
const errorSchema = z.object({ error: z.object({ message: z.string().default('Graph API error'), code: z.number().default(-1), error_subcode: z.number().optional(), fbtrace_id: z.string().optional(), is_transient: z.boolean().optional() }) });

export async function listCreditLines(
  graph: Pick<OpsTarget['config']['graph'], 'baseUrl' | 'version' | 'timeoutMs'>,
  businessId: string,
  token: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ creditLines: CreditLine[]; more: boolean }> {
  const url = new URL(`${graph.baseUrl.replace(/\/$/, '')}/${graph.version}/${encodeURIComponent(businessId)}/extendedcredits`);
  url.search = new URLSearchParams({ fields: 'id,legal_entity_name', limit: PAGE_LIMIT }).toString();
  let response: Response;
  let body: unknown;
  try {
    response = await fetchImpl(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(graph.timeoutMs) });
    body = await response.json().catch(() => undefined);
  } catch {
    throw new GraphError('transient', { code: -1, message: `Graph API GET ${url.pathname} got no answer` }, 0);
  }
  if (!response.ok) {
    const error = errorSchema.safeParse(body);
    if (!error.success) throw new GraphError(classifyGraphError(response.status, -1, false), { code: -1, message: `Graph API answered HTTP ${response.status} without a JSON error body` }, response.status);
    const e = error.data.error;
    // Graph may quote a token it refuses: never this one.
    const message = e.message.split(token).join('[token]');
    throw new GraphError(classifyGraphError(response.status, e.code, e.is_transient ?? false), { code: e.code, subcode: e.error_subcode, message, fbtraceId: e.fbtrace_id }, response.status);
  }
  const answer = answerSchema.safeParse(body);
  if (!answer.success) throw new GraphError('transient', { code: -1, message: `Graph answered GET ${url.pathname} in an unexpected shape` }, response.status);
  return {
    creditLines: answer.data.data.map((line) => ({ id: line.id, ...(line.legal_entity_name ? { legalEntityName: line.legal_entity_name } : {}) })),
    more: answer.data.paging?.next !== undefined,
  };
}
