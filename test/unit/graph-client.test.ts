import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphClient } from '../../lambdas/graph/graph-client';
import { classifyGraphError, GraphError } from '../../lambdas/graph/graph-error';
import { startGraphSimulator, type GraphSimulator } from '../../local/graph-simulator/server';
import { rejectionOf } from '../support/rejection';

let sim: GraphSimulator;
const PARTNER = '1000000000000001';
const APP_IDS = ['634974688087057', '634974688087058', '634974688087059'];

const client = (overrides: Partial<ConstructorParameters<typeof GraphClient>[0]> = {}) =>
  new GraphClient({ baseUrl: sim.url, version: 'v25.0', timeoutMs: 2000, appListingPath: 'me/assigned_applications', ...overrides });

const graphError = (promise: Promise<unknown>) => rejectionOf(promise, GraphError);

beforeAll(async () => {
  sim = await startGraphSimulator();
});
afterAll(() => sim.stop());
beforeEach(() => sim.state.reset());

describe('GraphClient against the Graph simulator', () => {
  test.each(['me/assigned_applications', 'me/application_details'] as const)('lists every selected app through %s, following paging', async (appListingPath) => {
    const { token } = sim.state.issueUserToken({ appIds: APP_IDS });
    const apps = await client({ appListingPath }).listSelectedApps(token);
    expect(apps.map((a) => a.id)).toEqual(APP_IDS);
    expect(apps[0]?.name).toBe('media_monsoon_prod');
    // Page size 2: the client had to follow `paging.next` once.
    expect(sim.state.requests.filter((r) => r.path === `/${appListingPath}`)).toHaveLength(2);
  });

  test('asks for Graph’s largest page (limit=100): where Graph pages as it documents, one call lists them all', async () => {
    const { token } = sim.state.issueUserToken({ appIds: APP_IDS });
    const paging = await fetch(`${sim.url}/__sim/paging`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ maxPageSize: 100 }) });
    expect(paging.status).toBe(200);
    await expect(client().listSelectedApps(token)).resolves.toHaveLength(APP_IDS.length);
    await client().listAppSolutions(APP_IDS[0]!, 'OWNER', token);
    expect(sim.state.requests.map((r) => [r.path, r.query.limit])).toEqual([
      ['/me/assigned_applications', '100'],
      [`/${APP_IDS[0]}/whatsapp_business_solutions`, '100'],
    ]);
  });

  test('sends the create body and the user token, and returns the new solution id', async () => {
    const { token } = sim.state.issueUserToken({ appIds: [APP_IDS[0]!] });
    const solutionId = await client().createSolution(APP_IDS[0]!, { ownerPermissions: [], partnerAppId: PARTNER, partnerPermissions: ['MESSAGING'], solutionName: 'Acme × prod · abc234' }, token);

    expect(sim.state.solutions.get(solutionId)?.status).toBe('INITIATED');
    const request = sim.state.requests.at(-1)!;
    expect(request).toMatchObject({
      method: 'POST',
      path: `/${APP_IDS[0]}/whatsapp_business_solution`,
      body: { owner_permissions: [], partner_app_id: PARTNER, partner_permissions: ['MESSAGING'], solution_name: 'Acme × prod · abc234' },
      auth: { kind: 'user', token },
    });
  });

  test('accepts as our app with the system-user token, then reads the solution with its partners edge', async () => {
    const { token } = sim.state.issueUserToken({ appIds: [APP_IDS[0]!] });
    const graph = client();
    const id = await graph.createSolution(APP_IDS[0]!, { ownerPermissions: [], partnerAppId: PARTNER, partnerPermissions: ['MESSAGING'], solutionName: 'n' }, token);

    await graph.acceptSolution(id, PARTNER, sim.state.seed.systemUserToken);
    expect(sim.state.requests.at(-1)).toMatchObject({ path: `/${id}/accept`, body: { partner_app_id: PARTNER }, status: 200 });

    await expect(graph.getSolution(id, sim.state.seed.systemUserToken)).resolves.toEqual({
      id,
      name: 'n',
      status: 'ACTIVE',
      statusForPendingRequest: 'NONE',
      ownerAppId: APP_IDS[0],
      ownerPermissions: ['MANAGE', 'DEVELOP', 'MANAGE_TEMPLATES', 'VIEW_INSIGHTS'],
      partners: [{ appId: PARTNER, permissions: ['MESSAGING', 'MANAGE', 'DEVELOP', 'MANAGE_TEMPLATES', 'VIEW_INSIGHTS'], status: 'ACCEPTED' }],
    });
    expect(sim.state.requests.at(-1)?.query.fields).toBe('id,name,status,status_for_pending_request,owner_app,owner_permissions,partners{partner_app,partner_permissions,status}');
  });

  test('declines an invitation, and answers deactivation requests, with the system-user token; reads only where a solution stands', async () => {
    const { token } = sim.state.issueUserToken({ appIds: [APP_IDS[0]!] });
    const graph = client();
    const systemUser = sim.state.seed.systemUserToken;
    const create = (name: string) => graph.createSolution(APP_IDS[0]!, { ownerPermissions: [], partnerAppId: PARTNER, partnerPermissions: ['MESSAGING'], solutionName: name }, token);

    const declined = await create('declined');
    await graph.rejectSolution(declined, systemUser);
    expect(sim.state.requests.at(-1)).toMatchObject({ method: 'POST', path: `/${declined}/reject`, auth: { kind: 'system-user' }, status: 200 });
    await expect(graph.getSolutionState(declined, systemUser)).resolves.toEqual({ status: 'REJECTED', statusForPendingRequest: 'NONE' });
    expect(sim.state.requests.at(-1)?.query.fields).toBe('id,status,status_for_pending_request');

    const live = await create('live');
    await graph.acceptSolution(live, PARTNER, systemUser);
    // No request pending: Graph refuses for good.
    expect(await graphError(graph.decideDeactivationRequest(live, 'accept', systemUser))).toMatchObject({ errorClass: 'permanent', details: { code: 100 } });
    sim.state.requestDeactivation(live);
    await expect(graph.getSolutionState(live, systemUser)).resolves.toEqual({ status: 'ACTIVE', statusForPendingRequest: 'PENDING_DEACTIVATION' });
    await graph.decideDeactivationRequest(live, 'reject', systemUser);
    await expect(graph.getSolutionState(live, systemUser)).resolves.toEqual({ status: 'ACTIVE', statusForPendingRequest: 'NONE' });
    sim.state.requestDeactivation(live);
    await graph.decideDeactivationRequest(live, 'accept', systemUser);
    expect(sim.state.requests.at(-1)).toMatchObject({ method: 'POST', path: `/${live}/accept_deactivation_request`, status: 200 });
    await expect(graph.getSolutionState(live, systemUser)).resolves.toEqual({ status: 'DEACTIVATED', statusForPendingRequest: 'NONE' });
  });

  test('lists an app’s own solutions with the Tech Provider’s token, and those inviting us with the system-user token, 100 a page', async () => {
    const { token } = sim.state.issueUserToken({ appIds: APP_IDS });
    const graph = client();
    const body = (name: string) => ({ ownerPermissions: [], partnerAppId: PARTNER, partnerPermissions: ['MESSAGING'], solutionName: name });
    const [a, b, c] = [await graph.createSolution(APP_IDS[0]!, body('a'), token), await graph.createSolution(APP_IDS[0]!, body('b'), token), await graph.createSolution(APP_IDS[1]!, body('c'), token)];
    // Made elsewhere, with another partner: listed for its owner, not among those inviting us.
    const other = sim.state.createSolution({ id: APP_IDS[0]!, name: 'media_monsoon_prod' }, { name: 'd', ownerPermissions: [], partnerPermissions: ['MESSAGING'] }, {
      partners: [{ app: { id: '555', name: 'Another partner' }, permissions: ['MESSAGING'], status: 'NOTIFICATION_SENT' }],
    });

    const owned = await graph.listAppSolutions(APP_IDS[0]!, 'OWNER', token);
    expect(owned).toEqual([
      { id: a, name: 'a', status: 'INITIATED', statusForPendingRequest: 'PENDING_ACTIVATION', ownerAppId: APP_IDS[0], partners: [{ appId: PARTNER }] },
      expect.objectContaining({ id: b, partners: [{ appId: PARTNER }] }),
      expect.objectContaining({ id: other.id, partners: [{ appId: '555' }] }),
    ]);
    // The seed's pages hold 2 items: the client followed paging.next, asking for Graph's largest page.
    const listings = sim.state.requests.filter((r) => r.path === `/${APP_IDS[0]}/whatsapp_business_solutions`);
    expect(listings).toHaveLength(2);
    expect(listings[0]!.query).toEqual({ role: 'OWNER', limit: '100', fields: 'id,name,status,status_for_pending_request,owner_app,partners{partner_app}' });

    const invitingUs = await graph.listAppSolutions(PARTNER, 'PARTNER', sim.state.seed.systemUserToken);
    expect(invitingUs.map((s) => [s.id, s.ownerAppId])).toEqual([
      [a, APP_IDS[0]],
      [b, APP_IDS[0]],
      [c, APP_IDS[1]],
    ]);
  });

  test('debug_token reports a valid token’s app, scopes and user, and an unknown token as invalid', async () => {
    const { token, userId } = sim.state.issueUserToken({ appIds: [APP_IDS[0]!] });
    const appToken = `${PARTNER}|${sim.state.seed.appSecret}`;
    await expect(client().debugToken(token, appToken)).resolves.toMatchObject({ appId: PARTNER, isValid: true, userId, scopes: expect.arrayContaining(['manage_app_solution']) });
    await expect(client().debugToken('EAAunknown', appToken)).resolves.toMatchObject({ isValid: false, error: { code: 190 } });
  });

  test('an unknown token is a permanent token error carrying Graph’s code, subcode and trace id', async () => {
    const error = await graphError(client().listSelectedApps('EAAunknown'));
    expect(error.errorClass).toBe('permanent');
    expect(error.isTokenError).toBe(true);
    expect(error.details).toEqual({ code: 190, subcode: 467, message: expect.stringContaining('Invalid OAuth access token'), fbtraceId: expect.stringMatching(/^Sim/) });
    expect(error.message).not.toContain('EAAunknown');
  });

  test('an expired token is a permanent token error with subcode 463', async () => {
    const { token } = sim.state.issueUserToken({ appIds: [APP_IDS[0]!] });
    sim.state.expireToken(token);
    const error = await graphError(client().listSelectedApps(token));
    expect(error.details).toMatchObject({ code: 190, subcode: 463 });
  });

  test('a bad create request is a permanent error with code 100', async () => {
    const { token } = sim.state.issueUserToken({ appIds: [APP_IDS[0]!] });
    const error = await graphError(
      client().createSolution(APP_IDS[0]!, { ownerPermissions: ['MESSAGING'], partnerAppId: PARTNER, partnerPermissions: ['MESSAGING'], solutionName: 'n' }, token),
    );
    expect(error.errorClass).toBe('permanent');
    expect(error.details.code).toBe(100);
    expect(error.httpStatus).toBe(400);
  });

  test('accepting with anything but the partner’s system-user token is a permission error', async () => {
    const { token } = sim.state.issueUserToken({ appIds: [APP_IDS[0]!] });
    const id = await client().createSolution(APP_IDS[0]!, { ownerPermissions: [], partnerAppId: PARTNER, partnerPermissions: ['MESSAGING'], solutionName: 'n' }, token);
    const error = await graphError(client().acceptSolution(id, PARTNER, token));
    expect(error.isPermissionError).toBe(true);
    expect(sim.state.solutions.get(id)?.status).toBe('INITIATED');
  });

  test('a refused connection is transient', async () => {
    const closed = await startGraphSimulator();
    await closed.stop();
    const error = await graphError(client({ baseUrl: closed.url }).listSelectedApps('t'));
    expect(error.errorClass).toBe('transient');
    expect(error.httpStatus).toBe(0);
  });
});

describe('GraphClient against misbehaving servers', () => {
  let server: Server;
  let url: string;
  let reply: (res: import('node:http').ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((_, res) => reply(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('a request that outlives the timeout is transient', async () => {
    reply = () => undefined; // never answers
    const error = await graphError(new GraphClient({ baseUrl: url, version: 'v25.0', timeoutMs: 100, appListingPath: 'me/assigned_applications' }).listSelectedApps('t'));
    expect(error.errorClass).toBe('transient');
    expect(error.message).toMatch(/timed out after 100 ms/);
  });

  test('a 5xx without a JSON body is transient', async () => {
    reply = (res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
    const error = await graphError(new GraphClient({ baseUrl: url, version: 'v25.0', timeoutMs: 1000, appListingPath: 'me/assigned_applications' }).listSelectedApps('t'));
    expect(error.errorClass).toBe('transient');
    expect(error.httpStatus).toBe(502);
  });

  const answering = (status: number, body: unknown) => (res: import('node:http').ServerResponse) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
  const misbehaving = () => new GraphClient({ baseUrl: url, version: 'v25.0', timeoutMs: 1000, appListingPath: 'me/assigned_applications' });
  const solution = { id: '1', name: 'n', status: 'INITIATED', owner_app: { id: '634974688087057' }, partners: { data: [{ partner_app: { id: PARTNER } }] } };

  test.each<[string, unknown, (graph: GraphClient) => Promise<unknown>]>([
    ['a listed solution without its partners edge', { data: [{ ...solution, partners: undefined }] }, (g) => g.listAppSolutions('1', 'OWNER', 't')],
    ['a listed solution whose owner_app is missing', { data: [{ ...solution, owner_app: undefined }] }, (g) => g.listAppSolutions('1', 'OWNER', 't')],
    ['a partners edge whose entries lack partner_app', { data: [{ ...solution, partners: { data: [{ status: 'ACCEPTED' }] } }] }, (g) => g.listAppSolutions('1', 'OWNER', 't')],
    ['a listing whose data is not an array', { data: { id: '1' } }, (g) => g.listAppSolutions('1', 'OWNER', 't')],
    ['details with a status of the wrong type', { ...solution, status: 7 }, (g) => g.getSolution('1', 't')],
    ['details with partners as a plain array', { ...solution, partners: [{ partner_app: { id: PARTNER } }] }, (g) => g.getSolution('1', 't')],
    // What the check before accepting compares must be there.
    ['details without owner_permissions', { ...solution, partners: { data: [{ partner_app: { id: PARTNER }, partner_permissions: ['MESSAGING'] }] } }, (g) => g.getSolution('1', 't')],
    ['a state read without status', { id: '1', status_for_pending_request: 'NONE' }, (g) => g.getSolutionState('1', 't')],
    ['a reject answer that does not report success', {}, (g) => g.rejectSolution('1', 't')],
    ['a deactivation decision answered with success false', { success: false }, (g) => g.decideDeactivationRequest('1', 'accept', 't')],
    ['a create answer without solution_id', { id: '1' }, (g) => g.createSolution('1', { ownerPermissions: [], partnerAppId: PARTNER, partnerPermissions: ['MESSAGING'], solutionName: 'n' }, 't')],
    ['an accept answer that does not report success', { success: false }, (g) => g.acceptSolution('1', PARTNER, 't')],
    ['a 200 whose body is not JSON', '{"solution_id": ', (g) => g.getSolution('1', 't')],
  ])('%s is a transient error naming what is wrong, never a crash', async (_, body, call) => {
    reply = answering(200, body);
    const error = await graphError(call(misbehaving()));
    expect(error).toMatchObject({ errorClass: 'transient', httpStatus: 200, details: { code: -1, message: expect.stringMatching(/^Graph answered/) } });
  });

  test('a draft listed without partners is a solution that invites no one; an empty listing is no solution', async () => {
    reply = answering(200, { data: [{ ...solution, status: 'DRAFT', partners: undefined }] });
    await expect(misbehaving().listAppSolutions('1', 'OWNER', 't')).resolves.toEqual([expect.objectContaining({ status: 'DRAFT', partners: [] })]);
    reply = answering(200, { data: [] });
    await expect(misbehaving().listAppSolutions('1', 'OWNER', 't')).resolves.toEqual([]);
  });

  test.each([
    ['the whole token', (t: string) => `Malformed access token ${t}`, 'Malformed access token [token]'],
    ['a cut-off token', (t: string) => `Malformed access token ${t.slice(0, 20)}...`, 'Malformed access token [token]...'],
    ['a run of the token without its prefix', (t: string) => `Bad signature in …${t.slice(30, 42)}…`, 'Graph API error (its message quoted an access token and is withheld)'],
  ])('a Graph message that quotes %s never carries it onward', async (_, quote, kept) => {
    const token = 'EAAGm0PX4ZCpsBAKZBZCq1ZBn3dMVpE0Xq9uXgZDZD4reallysecret';
    reply = answering(400, { error: { message: quote(token), type: 'OAuthException', code: 190, fbtrace_id: 'X' } });
    const error = await graphError(misbehaving().listSelectedApps(token));
    expect(error).toMatchObject({ errorClass: 'permanent', isTokenError: true });
    for (let i = 0; i + 8 <= token.length; i++) expect(error.details.message).not.toContain(token.slice(i, i + 8));
    expect(error.details.message).toBe(kept);
    expect(error.message).toBe(kept);
  });

  test.each([
    ['the whole token', (t: string) => `Tr${t}`, 'Tr[token]'],
    ['a run of the token without its prefix', (t: string) => `Tr${t.slice(20, 40)}`, 'Graph API error (its fbtraceId quoted an access token and is withheld)'],
  ])('a trace id that carries %s is screened like the message, and so is every other field of the error', async (_, trace, kept) => {
    const token = 'EAAGm0PX4ZCpsBAKZBZCq1ZBn3dMVpE0Xq9uXgZDZD4reallysecret';
    const body = { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100, error_user_title: `Token ${token}`, error_user_msg: `Your token ${token.slice(3)} is bad`, fbtrace_id: trace(token) };
    reply = answering(400, { error: body });
    const error = await graphError(misbehaving().createSolution('1', { ownerPermissions: [], partnerAppId: PARTNER, partnerPermissions: [], solutionName: 's' }, token));
    expect(error.details).toEqual({ code: 100, message: '(#100) Invalid parameter', fbtraceId: kept });
    const everything = JSON.stringify({ details: error.details, message: error.message });
    for (let i = 0; i + 8 <= token.length; i++) expect(everything).not.toContain(token.slice(i, i + 8));
  });

  test('a rate-limit error is throttled', async () => {
    reply = (res) =>
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: '(#4) Application request limit reached', type: 'OAuthException', code: 4, is_transient: true, fbtrace_id: 'X' } }));
    const error = await graphError(new GraphClient({ baseUrl: url, version: 'v25.0', timeoutMs: 1000, appListingPath: 'me/assigned_applications' }).listSelectedApps('t'));
    expect(error.errorClass).toBe('throttled');
    expect(error.retryable).toBe(true);
  });
});

describe('classifyGraphError', () => {
  test.each([
    [500, 1, false, 'transient'],
    [400, 2, false, 'transient'],
    [400, 100, true, 'transient'],
    [503, -1, false, 'transient'],
    [400, 4, false, 'throttled'],
    [400, 17, false, 'throttled'],
    [400, 32, false, 'throttled'],
    [400, 613, false, 'throttled'],
    [400, 80007, false, 'throttled'],
    [429, -1, false, 'throttled'],
    [400, 190, false, 'permanent'],
    [403, 10, false, 'permanent'],
    [403, 200, false, 'permanent'],
    [400, 100, false, 'permanent'],
    [404, 803, false, 'permanent'],
  ])('HTTP %i, code %i, is_transient %s → %s', (status, code, isTransient, expected) => {
    expect(classifyGraphError(status, code, isTransient)).toBe(expected);
  });
});
