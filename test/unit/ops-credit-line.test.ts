import { loadOpsConfig } from '../../lambdas/config';
import { creditLineCommand } from '../../ops/commands/credit-line';
import type { OpsTarget } from '../../ops/target';

/** `ops credit-line`: our business's credit lines from Graph, with the system-user token in the Authorization header only. */
const TOKEN = 'EAAsystemUserToken0123456789';
const BUSINESS = '2949482758682047';

function target(businessId: string | undefined) {
  const config = loadOpsConfig({ TABLE_NAME: 't', SYSTEM_USER_TOKEN_SECRET_ID: 'su', CREATE_REDELIVERY_SECONDS: '60', ACCEPT_LEASE_SECONDS: '60', GRAPH_API_BASE_URL: 'https://graph.example', BUSINESS_ID: businessId });
  return { secrets: { send: async () => ({ SecretString: TOKEN }) }, config } as unknown as Pick<OpsTarget, 'secrets' | 'config'>;
}

function graph(status: number, body: unknown) {
  const calls: { url: string; authorization: string | null }[] = [];
  const fetchImpl = (async (url: URL | string, init?: RequestInit) => {
    calls.push({ url: String(url), authorization: new Headers(init?.headers).get('authorization') });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { calls, fetchImpl };
}

describe('ops credit-line', () => {
  test('lists the credit lines of BUSINESS_ID: ID and legal entity', async () => {
    const { calls, fetchImpl } = graph(200, { data: [{ id: '1972385232742146', legal_entity_name: 'Acme Messaging Ltd' }] });
    const result = await creditLineCommand(target(BUSINESS), fetchImpl);
    expect(result.lines.slice(0, 2)).toEqual(['CREDIT LINE ID    LEGAL ENTITY', '1972385232742146  Acme Messaging Ltd']);
    expect(result.data).toEqual({ businessId: BUSINESS, creditLines: [{ id: '1972385232742146', legalEntityName: 'Acme Messaging Ltd' }] });
    expect(calls).toEqual([{ url: `https://graph.example/v25.0/${BUSINESS}/extendedcredits?fields=id%2Clegal_entity_name&limit=100`, authorization: `Bearer ${TOKEN}` }]);
  });

  test('Graph’s refusal is one line with its code and trace ID, and never the token (exit 1)', async () => {
    const { fetchImpl } = graph(400, { error: { code: 200, message: `(#200) Permissions error for ${TOKEN}`, fbtrace_id: 'Xyz' } });
    const failure = await creditLineCommand(target(BUSINESS), fetchImpl).catch((error: Error & { exitCode: number }) => error);
    expect(failure).toMatchObject({ exitCode: 1 });
    expect((failure as Error).message).toBe(
      `Graph refused to list the credit lines of business ${BUSINESS}: code 200 (#200) Permissions error for [token] (fbtrace_id Xyz) (the system user needs business_management and Admin or Financial Editor on the business portfolio)`,
    );
  });

  test('without BUSINESS_ID it says what to set, and calls nothing (exit 2)', async () => {
    const { calls, fetchImpl } = graph(200, { data: [] });
    await expect(creditLineCommand(target(undefined), fetchImpl)).rejects.toMatchObject({ exitCode: 2, message: 'credit-line needs our business portfolio ID: set BUSINESS_ID' });
    expect(calls).toEqual([]);
  });

  test('none on Graph: says that clients stay NOT_SHARED', async () => {
    const { fetchImpl } = graph(200, { data: [] });
    expect((await creditLineCommand(target(BUSINESS), fetchImpl)).lines[0]).toBe(`Business ${BUSINESS} has no credit line on Graph: clients stay NOT_SHARED until one is set up and CREDIT_LINE_ID names it.`);
  });
});
