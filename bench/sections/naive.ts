import type { Login } from '../simulator';

/** The Solution Partner's credentials, as the simulator was seeded with them. */
export interface PartnerCredentials {
  appId: string;
  appSecret: string;
  systemUserToken: string;
}

/** The simulator serves any version; this is the pipeline's default (lambdas/config.ts). */
const GRAPH_VERSION = 'v25.0';
/** The pipeline's default permissions (lambdas/config.ts): exactly one side holds MESSAGING. */
const OWNER_PERMISSIONS: string[] = [];
const PARTNER_PERMISSIONS = ['MESSAGING'];

/**
 * What a naive script does for one Tech Provider, inline: check the token, list the selected apps,
 * then for each app in turn create the solution, read it back and accept it. No queue, no records, no
 * retries: the floor a pipeline's overhead is measured against. Resolves with the solutions accepted.
 */
export async function naiveOnboarding(graphUrl: string, login: Login, partner: PartnerCredentials): Promise<number> {
  const graph = async (method: 'GET' | 'POST', pathOrUrl: string, token: string, body?: unknown) => {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${graphUrl}/${GRAPH_VERSION}/${pathOrUrl}`;
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${new URL(url).pathname}: HTTP ${response.status}`);
    return (await response.json()) as unknown;
  };

  await graph('GET', `debug_token?input_token=${encodeURIComponent(login.accessToken)}`, `${partner.appId}|${partner.appSecret}`);
  const apps: string[] = [];
  for (let next: string | undefined = 'me/assigned_applications'; next; ) {
    const page = (await graph('GET', next, login.accessToken)) as { data: { id: string }[]; paging?: { next?: string } };
    apps.push(...page.data.map((a) => a.id));
    next = page.paging?.next;
  }
  let accepted = 0;
  for (const appId of apps) {
    try {
      const { solution_id: solutionId } = (await graph('POST', `${appId}/whatsapp_business_solution`, login.accessToken, {
        owner_permissions: OWNER_PERMISSIONS,
        partner_app_id: partner.appId,
        partner_permissions: PARTNER_PERMISSIONS,
        solution_name: `naive ${appId}`,
      })) as { solution_id: string };
      await graph('GET', `${solutionId}?fields=id,status,owner_app,partners`, partner.systemUserToken);
      await graph('POST', `${solutionId}/accept`, partner.systemUserToken, { partner_app_id: partner.appId });
      accepted++;
    } catch {
      // Naive: a failed app is simply not onboarded; the count tells.
    }
  }
  return accepted;
}
