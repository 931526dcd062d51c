import { ClientRefusal } from '../../local/graph-simulator/client-onboarding';
import { DEFAULT_SEED, GraphSimulatorState } from '../../local/graph-simulator/state';
import { simulatorWithReceiver } from '../support/simulator-with-receiver';

/**
 * The simulator's clients onboarded through a solution: Embedded Signup and its account_update
 * variants, who may call each client and credit route, the refusals, the simulator's choices where
 * the docs are silent, paging of the client list, and fault rules on the new operations.
 */

const APP = '634974688087057';
const TP_BUSINESS = '102290129340398';
const APP_SECRET = 'clients-test-app-secret';
const VERIFY_TOKEN = 'clients-test-verify-token';
const { partnerBusiness, systemUserId, creditLines } = DEFAULT_SEED;
const OUR_BUSINESS = partnerBusiness.id;
const CREDIT_LINE = creditLines[0]!.id;

const env = simulatorWithReceiver({ appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN });

const systemUser = () => env.sim.state.seed.systemUserToken;
async function http(method: string, path: string, opts: { token?: string; query?: Record<string, string>; body?: unknown } = {}) {
  const url = new URL(`${env.sim.url}${path}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}
const graph = (method: string, path: string, opts: { token?: string; query?: Record<string, string> } = {}) => http(method, `/v25.0${path}`, { token: systemUser(), ...opts });

/** An ACTIVE solution of the seed's Tech Provider that invites our app with these permissions. */
function activeSolution(partnerPermissions = ['MESSAGING']): string {
  const owner = partnerPermissions.includes('MESSAGING') ? [] : ['MESSAGING'];
  const solution = env.sim.state.createSolution({ id: APP, name: 'media_monsoon_prod' }, { name: 'clients', ownerPermissions: owner, partnerPermissions });
  env.sim.state.acceptInvitation(solution.id, env.sim.state.partnerApp.id);
  return solution.id;
}
/** A client onboarded without webhooks (the tests of webhooks ask for them). */
const client = (solutionId = activeSolution(), opts: Parameters<GraphSimulatorState['onboardClient']>[1] = {}) => env.sim.state.onboardClient(solutionId, { noWebhook: true, ...opts });
const assign = (wabaId: string, tasks = "['MANAGE']", user = systemUserId) => graph('POST', `/${wabaId}/assigned_users`, { query: { user, tasks } });
const share = (wabaId: string, currency = 'USD') => graph('POST', `/${CREDIT_LINE}/whatsapp_credit_sharing_and_attach`, { query: { waba_currency: currency, waba_id: wabaId } });
const businessToken = (solutionId: string, businessId: string) => env.sim.state.issueBusinessToken(businessId, solutionId).token;
const events = async () => {
  await env.sim.state.webhooks.idle();
  return env.receiver.posts().map((p) => JSON.parse(p.rawBody.toString('utf8')).entry[0].changes[0].value.event as string);
};

describe('Embedded Signup through a solution (state.onboardClient)', () => {
  test('a client business and its WABA, shared with our business and the Tech Provider’s, our app installed, no credit line', () => {
    const { business, waba } = client();
    expect(waba).toMatchObject({ ownerBusiness: business, sharedWith: [OUR_BUSINESS, TP_BUSINESS], appInstalled: true, assignedUsers: [] });
    expect(waba.primaryFundingId).toBeUndefined();
    expect(env.sim.state.clients.wabas.get(waba.id)).toBe(waba);
  });

  test('only an ACTIVE solution that invites our app onboards clients', () => {
    const pending = env.sim.state.createSolution({ id: APP, name: 'p' }, { name: 'pending', ownerPermissions: [], partnerPermissions: ['MESSAGING'] });
    expect(() => env.sim.state.onboardClient(pending.id)).toThrow(ClientRefusal);
    expect(() => env.sim.state.onboardClient('999')).toThrow(expect.objectContaining({ reason: 'unknown-solution' }));
    const notOurs = env.sim.state.createSolution({ id: APP, name: 'p' }, { name: 'other', ownerPermissions: [], partnerPermissions: ['MESSAGING'] }, { status: 'ACTIVE', partners: [] });
    expect(() => env.sim.state.onboardClient(notOurs.id)).toThrow(expect.objectContaining({ reason: 'not-our-solution' }));
  });

  test.each([
    [{ events: 'added', repeat: false }, ['PARTNER_ADDED']],
    [{ events: 'installed', repeat: false }, ['PARTNER_APP_INSTALLED']],
    [{ events: 'both', repeat: false, reverse: false }, ['PARTNER_ADDED', 'PARTNER_APP_INSTALLED']],
    [{ events: 'both', repeat: false, reverse: true }, ['PARTNER_APP_INSTALLED', 'PARTNER_ADDED']],
    [{ events: 'both', repeat: true, reverse: true }, ['PARTNER_APP_INSTALLED', 'PARTNER_ADDED', 'PARTNER_APP_INSTALLED', 'PARTNER_ADDED']],
    [{ events: 'both', noWebhook: true }, []],
  ] as const)('the deliveries as asked: %j', async (opts, expected) => {
    await http('PUT', '/__sim/webhooks', { body: { callbackUrl: env.receiver.url } });
    const solutionId = activeSolution();
    // The accept's own SOLUTION_UPDATED goes out first.
    await env.sim.state.webhooks.idle();
    env.receiver.received.length = 0;
    env.sim.state.onboardClient(solutionId, { noWebhook: false, ...opts });
    expect(await events()).toEqual(expected);
  });

  test('options left out are drawn at random; the seed’s onboardingSeed makes the draws repeatable', () => {
    const variants = (state: GraphSimulatorState) => {
      const solution = state.createSolution({ id: APP, name: 'x' }, { name: 'x', ownerPermissions: [], partnerPermissions: ['MESSAGING'] });
      state.acceptInvitation(solution.id, state.partnerApp.id);
      return Array.from({ length: 12 }, () => state.onboardClient(solution.id).variant);
    };
    const [first, again] = [variants(new GraphSimulatorState({ ...DEFAULT_SEED, onboardingSeed: 42 })), variants(new GraphSimulatorState({ ...DEFAULT_SEED, onboardingSeed: 42 }))];
    expect(again).toEqual(first);
    expect(new Set(first.map((v) => v.events)).size).toBeGreaterThan(1);
  });

  test('fundedBy other: the WABA already carries a credit line, so ours cannot be attached', async () => {
    const { waba } = client(undefined, { fundedBy: 'other' });
    expect(waba.primaryFundingId).toEqual(expect.stringMatching(/^\d+$/));
    await assign(waba.id);
    expect(await share(waba.id)).toMatchObject({ status: 400, body: { error: { code: 100, message: expect.stringMatching(/cannot be changed/) } } });
  });
});

describe('token rules and unknown objects', () => {
  test.each([
    ['GET', `/${OUR_BUSINESS}/extendedcredits`],
    ['GET', `/${OUR_BUSINESS}/client_whatsapp_business_accounts`],
    ['GET', '/{waba}/solutions'],
    ['GET', '/{waba}/assigned_users'],
    ['POST', '/{waba}/assigned_users'],
    ['POST', `/${CREDIT_LINE}/whatsapp_credit_sharing_and_attach`],
    ['GET', `/${CREDIT_LINE}/owning_credit_allocation_configs`],
    ['GET', '/{solution}/access_token'],
  ])('%s %s takes only our system-user token: a Tech Provider’s or a client’s business token is (#200)', async (method, path) => {
    const solutionId = activeSolution();
    const { waba, business } = client(solutionId);
    const concrete = path.replace('{waba}', waba.id).replace('{solution}', solutionId);
    for (const token of [env.sim.state.issueUserToken({ appIds: [APP] }).token, businessToken(solutionId, business.id)]) {
      expect(await graph(method, concrete, { token })).toMatchObject({ status: 403, body: { error: { code: 200 } } });
    }
  });

  test('the WABA read takes only a business token of its owner business; our system user’s or another client’s is refused', async () => {
    const solutionId = activeSolution();
    const { waba, business } = client(solutionId);
    const other = client(solutionId);
    expect((await graph('GET', `/${waba.id}`, { token: businessToken(solutionId, business.id) })).body).toEqual({ id: waba.id, name: waba.name, timezone_id: waba.timezoneId });
    for (const token of [systemUser(), businessToken(solutionId, other.business.id)]) {
      expect(await graph('GET', `/${waba.id}`, { token })).toMatchObject({ status: 400, body: { error: { code: 100, error_subcode: 33 } } });
    }
  });

  test('an expired business token is Graph’s 190/463', async () => {
    const solutionId = activeSolution();
    const { waba, business } = client(solutionId);
    const token = businessToken(solutionId, business.id);
    env.sim.state.expireToken(token);
    expect(await graph('GET', `/${waba.id}`, { token, query: { fields: 'primary_funding_id' } })).toMatchObject({ status: 400, body: { error: { code: 190, error_subcode: 463 } } });
  });

  test('IDs that name nothing are 404 (#803); a client’s business is not ours to list', async () => {
    const { business } = client();
    for (const [method, path] of [['GET', '/999/extendedcredits'], ['POST', '/999/whatsapp_credit_sharing_and_attach'], ['DELETE', '/999'], ['GET', '/999/assigned_users']] as const) {
      expect([path, (await graph(method, path)).status]).toEqual([path, 404]);
    }
    expect(await graph('GET', `/${business.id}/client_whatsapp_business_accounts`)).toMatchObject({ status: 400, body: { error: { error_subcode: 33 } } });
    expect(await graph('GET', `/${OUR_BUSINESS}/comments`)).toMatchObject({ status: 400, body: { error: { message: '(#100) Tried accessing nonexisting field (comments) on node type (Business)' } } });
  });
});

describe('our system user on the client’s WABA', () => {
  test('MANAGE only when our app holds MESSAGING in the solution; otherwise MANAGE_BILLING alone is taken', async () => {
    const { waba } = client(activeSolution(['MANAGE']));
    expect(await assign(waba.id, "['MANAGE']")).toMatchObject({ status: 403, body: { error: { code: 200, message: expect.stringMatching(/MESSAGING/) } } });
    expect((await assign(waba.id, "['MANAGE_BILLING']")).body).toEqual({ success: true });
  });

  test('another user, tasks that are no tasks, or none: (#100); a second assignment replaces the tasks', async () => {
    const { waba } = client();
    for (const [tasks, user] of [["['MANAGE']", '123'], ["['FLY']", systemUserId], ['[]', systemUserId]]) {
      expect(await assign(waba.id, tasks, user)).toMatchObject({ status: 400, body: { error: { code: 100 } } });
    }
    await assign(waba.id, '["MANAGE","VIEW_COST"]');
    await assign(waba.id, "['MANAGE_BILLING']");
    const listed = await graph('GET', `/${waba.id}/assigned_users`, { query: { business: OUR_BUSINESS } });
    expect(listed.body.data).toEqual([{ id: systemUserId, name: expect.any(String), tasks: ['MANAGE_BILLING'] }]);
    expect((await graph('GET', `/${waba.id}/assigned_users`)).status).toBe(400);
  });

  test('a WABA the client unshared with us is no longer ours to act on', async () => {
    const { waba } = client();
    env.sim.state.removeClient(waba.id);
    expect(await assign(waba.id)).toMatchObject({ status: 400, body: { error: { error_subcode: 33 } } });
  });
});

describe('sharing our credit line', () => {
  test('waba_currency one of AUD EUR GBP IDR INR USD, waba_id required: else (#100)', async () => {
    const { waba } = client();
    await assign(waba.id);
    expect((await share(waba.id, 'CHF')).body.error.code).toBe(100);
    expect((await graph('POST', `/${CREDIT_LINE}/whatsapp_credit_sharing_and_attach`, { query: { waba_currency: 'EUR' } })).body.error.code).toBe(100);
    expect((await share(waba.id, 'EUR')).status).toBe(200);
  });

  test('a second share of the same WABA is refused (#100): the attached line cannot be changed', async () => {
    const { waba } = client();
    await assign(waba.id, "['MANAGE_BILLING']");
    expect((await share(waba.id)).status).toBe(200);
    expect(await share(waba.id)).toMatchObject({ status: 400, body: { error: { code: 100, message: '(#100) A credit line attached to a WABA cannot be changed afterwards' } } });
  });

  test('revoke: the client’s allocation found by receiving_business_id, DELETE → success, request_status DELETED, primary_funding_id unset', async () => {
    const solutionId = activeSolution();
    const { waba, business } = client(solutionId);
    await assign(waba.id);
    const { allocation_config_id: allocationId } = (await share(waba.id)).body;
    const list = () => graph('GET', `/${CREDIT_LINE}/owning_credit_allocation_configs`, { query: { receiving_business_id: business.id, fields: 'id,receiving_business' } });
    expect((await list()).body.data).toEqual([{ id: allocationId, receiving_business: { id: business.id, name: business.name } }]);
    expect((await graph('DELETE', `/${allocationId}`)).body).toEqual({ success: true });
    expect((await graph('GET', `/${allocationId}`, { query: { fields: 'request_status' } })).body).toEqual({ request_status: 'DELETED', id: allocationId });
    expect((await list()).body.data).toEqual([]);
    expect((await graph('GET', `/${waba.id}`, { token: businessToken(solutionId, business.id), query: { fields: 'primary_funding_id' } })).body).toEqual({ id: waba.id });
    expect((await graph('DELETE', `/${allocationId}`)).body).toEqual({ success: true });
  });
});

describe('the client’s business token (GET /{solution}/access_token)', () => {
  test('a new random token each call, listed by businessTokens(); 404 "not accessible" for a business not onboarded through that solution, or gone', async () => {
    const solutionId = activeSolution();
    const { waba, business } = client(solutionId);
    const ask = (businessId: string, id = solutionId) => graph('GET', `/${id}/access_token`, { query: { business_id: businessId } });
    const [first, second] = [(await ask(business.id)).body, (await ask(business.id)).body];
    expect(first).toEqual({ access_token: expect.any(String), expires_at: expect.any(Number) });
    expect(first.access_token).not.toBe(second.access_token);
    expect(env.sim.state.businessTokens()).toEqual([
      expect.objectContaining({ kind: 'business', token: first.access_token, businessId: business.id, solutionId }),
      expect.objectContaining({ token: second.access_token }),
    ]);
    expect(await ask(TP_BUSINESS)).toMatchObject({ status: 404, body: { error: { message: 'Solution or business not accessible' } } });
    expect(await ask(business.id, activeSolution())).toMatchObject({ status: 404 });
    expect((await graph('GET', `/${solutionId}/access_token`)).status).toBe(400);
    env.sim.state.uninstallApp(waba.id);
    expect((await ask(business.id)).status).toBe(404);
  });

  test('the guide shape over HTTP: PUT /__sim/access-token-shape; reset brings back the reference shape', async () => {
    const solutionId = activeSolution();
    const { business } = client(solutionId);
    expect((await http('PUT', '/__sim/access-token-shape', { body: { shape: 'guide' } })).body).toEqual({ shape: 'guide' });
    expect((await graph('GET', `/${solutionId}/access_token`, { query: { business_id: business.id } })).body).toEqual({ data: [{ access_token: expect.any(String) }] });
    expect((await http('PUT', '/__sim/access-token-shape', { body: { shape: 'other' } })).status).toBe(400);
    expect((await http('GET', '/__sim/business-tokens')).body).toEqual([expect.objectContaining({ kind: 'business', businessId: business.id })]);
    env.sim.state.reset();
    expect(env.sim.state.accessTokenShape).toBe('reference');
    expect(env.sim.state.businessTokens()).toEqual([]);
  });
});

describe('the client list (webhook fallback) and a WABA’s solutions', () => {
  const list = (query: Record<string, string> = {}) => graph('GET', `/${OUR_BUSINESS}/client_whatsapp_business_accounts`, { query });

  test('paged by cursors at the simulator’s page size, followed to the end; fields id,name,timezone_id by default', async () => {
    const solutionId = activeSolution();
    const ids = Array.from({ length: 5 }, () => client(solutionId).waba.id);
    const first = await list({ limit: '100' });
    expect(first.body.data).toHaveLength(2);
    expect(Object.keys(first.body.data[0]).sort()).toEqual(['id', 'name', 'timezone_id']);
    const seen = first.body.data.map((w: { id: string }) => w.id);
    for (let next = first.body.paging.next; next; ) {
      const page = await fetch(next, { headers: { authorization: `Bearer ${systemUser()}` } }).then((r) => r.json());
      seen.push(...page.data.map((w: { id: string }) => w.id));
      next = page.paging.next;
    }
    expect(seen).toEqual(ids);
  });

  test('filtering by partners ALL: every named business must share; other filters are (#100); removed clients are gone', async () => {
    const solutionId = activeSolution();
    const kept = client(solutionId).waba;
    const removed = client(solutionId).waba;
    env.sim.state.removeClient(removed.id);
    const filter = (value: string[], operator = 'ALL') => JSON.stringify([{ field: 'partners', operator, value }]);
    expect((await list({ filtering: filter([TP_BUSINESS]), fields: 'id,on_behalf_of_business_info,ownership_type' })).body.data).toEqual([
      { id: kept.id, on_behalf_of_business_info: { id: kept.ownerBusiness.id, name: kept.ownerBusiness.name }, ownership_type: 'CLIENT_OWNED' },
    ]);
    expect((await list({ filtering: filter([TP_BUSINESS, '555']) })).body.data).toEqual([]);
    for (const filtering of [filter([TP_BUSINESS], 'ANY'), '[{"field":"solution","operator":"ALL","value":["1"]}]', 'not json']) {
      expect((await list({ filtering })).body.error.code).toBe(100);
    }
    expect((await list({ fields: 'id,phone_numbers' })).body.error.message).toBe('(#100) Tried accessing nonexisting field (phone_numbers) on node type (WhatsAppBusinessAccount)');
  });

  test('GET /{waba}/solutions: the solution it was onboarded through, name,status,status_for_pending_request (and id) by default; owner_app on request', async () => {
    const solutionId = activeSolution();
    const { waba } = client(solutionId);
    expect((await graph('GET', `/${waba.id}/solutions`)).body.data).toEqual([{ id: solutionId, name: 'clients', status: 'ACTIVE', status_for_pending_request: 'NONE' }]);
    expect((await graph('GET', `/${waba.id}/solutions`, { query: { fields: 'id,owner_app,owner_permissions' } })).body.data).toEqual([
      { id: solutionId, owner_app: { id: APP, name: 'media_monsoon_prod' }, owner_permissions: expect.any(Array) },
    ]);
  });
});

describe('fault rules on the client operations', () => {
  test('a `before` error on share_credit_line attaches nothing; an `after` one attaches and loses the answer', async () => {
    const { waba } = client();
    await assign(waba.id);
    env.sim.state.controls.addFault({ operation: 'share_credit_line', times: 1, effect: { type: 'error', status: 503, code: 2, isTransient: true } });
    expect(await share(waba.id)).toMatchObject({ status: 503, body: { error: { code: 2 } } });
    expect(waba.primaryFundingId).toBeUndefined();
    env.sim.state.controls.addFault({ operation: 'share_credit_line', phase: 'after', times: 1, effect: { type: 'error', status: 500, code: 1 } });
    expect((await share(waba.id)).status).toBe(500);
    expect(waba.primaryFundingId).toEqual(expect.any(String));
  });

  test('a rule on read_waba for one WABA hits only that WABA’s read; over HTTP every new operation is a valid rule target', async () => {
    const solutionId = activeSolution();
    const [a, b] = [client(solutionId), client(solutionId)];
    env.sim.state.controls.addFault({ operation: 'read_waba', objectId: a.waba.id, effect: { type: 'answer', status: 200, body: { id: 'x' } } });
    expect((await graph('GET', `/${a.waba.id}`, { token: businessToken(solutionId, a.business.id) })).body).toEqual({ id: 'x' });
    expect((await graph('GET', `/${b.waba.id}`, { token: businessToken(solutionId, b.business.id) })).body.id).toBe(b.waba.id);
    for (const operation of ['list_client_wabas', 'list_waba_solutions', 'assign_system_user', 'list_assigned_users', 'solution_access_token', 'list_credit_lines', 'read_allocation', 'list_credit_allocations', 'revoke_allocation']) {
      expect([operation, (await http('POST', '/__sim/faults', { body: { operation, effect: { type: 'hang' } } })).status]).toEqual([operation, 201]);
    }
  });
});

describe('the client controls over HTTP', () => {
  test('POST /__sim/clients onboards (409 for a solution that cannot, 404 for none), GET lists, remove and uninstall-app send their webhooks', async () => {
    await http('PUT', '/__sim/webhooks', { body: { callbackUrl: env.receiver.url } });
    const solutionId = activeSolution();
    // The accept's own SOLUTION_UPDATED goes out first.
    await env.sim.state.webhooks.idle();
    env.receiver.received.length = 0;
    const created = await http('POST', '/__sim/clients', { body: { solutionId, events: 'added', repeat: false } });
    expect(created).toMatchObject({ status: 201, body: { variant: { events: 'added', repeat: false }, waba: { solutionId } } });
    const wabaId = created.body.waba.id;
    expect((await http('GET', '/__sim/clients')).body).toEqual([expect.objectContaining({ id: wabaId })]);
    expect((await http('POST', `/__sim/clients/${wabaId}/uninstall-app`)).status).toBe(200);
    expect((await http('POST', `/__sim/clients/${wabaId}/remove`)).status).toBe(200);
    expect((await http('POST', `/__sim/clients/${wabaId}/remove`)).status).toBe(409);
    expect((await http('POST', '/__sim/clients/999/remove')).status).toBe(404);
    expect(await events()).toEqual(['PARTNER_ADDED', 'PARTNER_APP_UNINSTALLED', 'PARTNER_REMOVED']);

    env.sim.state.deactivateSolution(solutionId);
    expect((await http('POST', '/__sim/clients', { body: { solutionId } })).status).toBe(409);
    expect((await http('POST', '/__sim/clients', { body: { solutionId: '999' } })).status).toBe(404);
    expect((await http('POST', '/__sim/clients', { body: { solutionId, events: 'all' } })).status).toBe(400);
  });

  test('POST /__sim/webhooks/account-update sends any value once, to our business unless told; a bad signature is refused by the callback', async () => {
    await http('PUT', '/__sim/webhooks', { body: { callbackUrl: env.receiver.url } });
    const value = { event: 'PARTNER_ADDED', waba_info: { waba_id: '1', owner_business_id: '2', solution_id: 'another solution' } };
    const sent = await http('POST', '/__sim/webhooks/account-update', { body: { value } });
    expect(sent.body).toMatchObject({ field: 'account_update', origin: 'send', event: 'PARTNER_ADDED', solutionId: 'another solution', wabaId: '1', outcome: 'delivered' });
    expect(JSON.parse(sent.body.rawBody)).toEqual({ object: 'whatsapp_business_account', entry: [{ id: OUR_BUSINESS, time: expect.any(Number), changes: [{ field: 'account_update', value }] }] });
    const bad = await http('POST', '/__sim/webhooks/account-update', { body: { value: { event: 'PARTNER_ADDED' }, badSignature: true } });
    expect(bad.body).toMatchObject({ signature: 'bad', lastHttpStatus: 401, outcome: 'failed' });
    expect((await http('POST', '/__sim/webhooks/account-update', { body: {} })).status).toBe(400);
  });
});
