import { readFileSync } from 'node:fs';
import { startGraphSimulator, type GraphSimulator } from '../../local/graph-simulator/server';
import type { SimApp, SimSolution } from '../../local/graph-simulator/state';

/**
 * The Graph simulator held to Meta's documented behaviour, section by section of
 * `docs/graph-api.md`, over raw HTTP: nothing here goes through the pipeline's Graph client, so the
 * simulator cannot drift toward whatever the client happens to send. Where Meta gives an exact shape,
 * `graph-examples.json` is the expected answer.
 * Where docs/graph-api.md is silent (the HTTP status of most refusals, the partner entry's type name),
 * a test asks only for what it documents (the error class) or says that it checks the simulator's
 * own choice.
 */

interface Example {
  name: string;
  request?: { method: string; path: string; query?: Record<string, string>; body?: unknown };
  answer?: { status: number; body: unknown };
}
const EXAMPLES: Example[] = JSON.parse(readFileSync(new URL('./graph-examples.json', import.meta.url), 'utf8')).examples;
const example = (name: string): Example & { answer: NonNullable<Example['answer']> } => {
  const found = EXAMPLES.find((e) => e.name === name);
  if (!found?.answer) throw new Error(`no example named ${name} with an answer`);
  return found as Example & { answer: NonNullable<Example['answer']> };
};

/** JSON shape: the same keys all the way down, each value of the same JSON type; arrays by their first item. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)]));
  return value === null ? 'null' : typeof value;
}

let sim: GraphSimulator;
// The examples' IDs: the Tech Provider app of the default seed and our partner app.
const OWNER_APP = '634974688087057';
const OTHER_APP = '634974688087058';
const PARTNER_APP = '1000000000000001';
const FIELDS_WITH_PARTNERS = 'id,name,status,status_for_pending_request,owner_app,owner_permissions,partners{partner_app,partner_permissions,status}';

beforeAll(async () => {
  // No page bound of the simulator's own: `limit` and Graph's maximum (100) alone decide page sizes.
  sim = await startGraphSimulator({ seed: { maxPageSize: Number.MAX_SAFE_INTEGER } });
});
afterAll(() => sim.stop());
beforeEach(() => sim.state.reset());

const systemUser = () => sim.state.seed.systemUserToken;
const appToken = () => `${PARTNER_APP}|${sim.state.seed.appSecret}`;
const techProvider = (appIds = [OWNER_APP, OTHER_APP]) => sim.state.issueUserToken({ appIds }).token;

async function graph(method: string, path: string, opts: { token?: string; query?: Record<string, string>; body?: unknown; version?: string } = {}) {
  const url = new URL(`${sim.url}/${opts.version ?? 'v25.0'}${path}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const response = await fetch(url, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

const CREATE_BODY = example('create').request!.body as Record<string, unknown>;
async function create(token: string, appId = OWNER_APP, body: Record<string, unknown> = CREATE_BODY): Promise<string> {
  const answer = await graph('POST', `/${appId}/whatsapp_business_solution`, { token, body });
  if (answer.status !== 200) throw new Error(`create refused: ${JSON.stringify(answer.body)}`);
  return answer.body.solution_id;
}
const accept = (id: string, body: unknown = { partner_app_id: PARTNER_APP }, token = systemUser()) => graph('POST', `/${id}/accept`, { token, body });
const details = async (id: string, fields?: string) => (await graph('GET', `/${id}`, { token: systemUser(), ...(fields ? { query: { fields } } : {}) })).body;
/** A solution made elsewhere (the dashboard, another Solution Partner), straight into the simulator's state. */
const madeElsewhere = (ownerApp: SimApp, made: Partial<Pick<SimSolution, 'status' | 'statusForPendingRequest' | 'partners'>>, name = 'made elsewhere') =>
  sim.state.createSolution(ownerApp, { name, ownerPermissions: [], partnerPermissions: ['MESSAGING'] }, made).id;
const APP = (id: string): SimApp => ({ id, name: `app ${id}` });

/** docs/graph-api.md § Errors: a refusal is 4xx with the envelope, whatever its code. */
function expectRefusal(answer: { status: number; body: any }) {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(answer.body).toEqual({ error: expect.objectContaining({ message: expect.any(String), type: expect.any(String), code: expect.any(Number), fbtrace_id: expect.any(String) }) });
}

/** docs/graph-api.md § Errors: the permission class, codes 10 and 200–299. */
function expectPermissionError(answer: { status: number; body: any }) {
  expectRefusal(answer);
  const { code } = answer.body.error;
  expect(code === 10 || (code >= 200 && code <= 299)).toBe(true);
}

/** docs/graph-api.md § Errors: the one envelope every error has. */
function expectGraphError(answer: { status: number; body: any }, expected: { status: number; code: number; subcode?: number; message?: string | RegExp }) {
  expect(answer.status).toBe(expected.status);
  expect(answer.body).toEqual({
    error: {
      message: typeof expected.message === 'string' ? expected.message : expected.message ? expect.stringMatching(expected.message) : expect.any(String),
      type: expect.any(String),
      code: expected.code,
      ...(expected.subcode === undefined ? {} : { error_subcode: expected.subcode }),
      fbtrace_id: expect.any(String),
    },
  });
}

describe('docs/graph-api.md § Endpoints the pipeline calls', () => {
  test('calls are versioned (/v23.0 … /v25.0) and take the token in Authorization: Bearer; no token is refused', async () => {
    const token = techProvider();
    for (const version of ['v23.0', 'v24.0', 'v25.0']) {
      expect((await graph('GET', '/me/assigned_applications', { token, version })).status).toBe(200);
    }
    expectGraphError(await graph('GET', '/me/assigned_applications'), { status: 400, code: 104 });
  });

  test('debug_token, with the app token APP_ID|APP_SECRET: data {app_id, type USER, application, is_valid, expires_at, data_access_expires_at, scopes, granular_scopes, user_id}', async () => {
    const user = sim.state.issueUserToken({ appIds: [OWNER_APP] });
    const { status, body } = await graph('GET', '/debug_token', { token: appToken(), query: { input_token: user.token } });
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        app_id: PARTNER_APP,
        type: 'USER',
        application: expect.any(String),
        is_valid: true,
        expires_at: user.expiresAt,
        data_access_expires_at: expect.any(Number),
        scopes: ['manage_app_solution', 'public_profile'],
        granular_scopes: [{ scope: 'manage_app_solution', target_ids: [OWNER_APP] }, { scope: 'public_profile' }],
        user_id: user.userId,
      },
    });
  });

  test('debug_token of an invalid token: is_valid false with data.error {code, message, subcode}', async () => {
    const { body } = await graph('GET', '/debug_token', { token: appToken(), query: { input_token: 'EAAnot-a-token' } });
    expect(body.data).toMatchObject({ is_valid: false, error: { code: 190, subcode: expect.any(Number), message: expect.any(String) } });
  });

  test.each(['me/assigned_applications', 'me/application_details'])('%s lists the selected apps as {data: [{id, name, link}], paging {cursors.after, next}}, followed to the end', async (path) => {
    const token = techProvider();
    const first = await graph('GET', `/${path}`, { token, query: { limit: '1' } });
    expect(first.body).toEqual({
      data: [{ id: OWNER_APP, name: 'media_monsoon_prod', link: expect.any(String) }],
      paging: { cursors: { before: expect.any(String), after: expect.any(String) }, next: expect.any(String) },
    });
    const rest = await fetch(first.body.paging.next, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
    expect(rest.data).toEqual([{ id: OTHER_APP, name: 'media_monsoon_staging', link: expect.any(String) }]);
    expect(rest.paging).not.toHaveProperty('next');
  });

  test('example "create": the documented body with the Tech Provider token answers {solution_id}; the solution starts INITIATED', async () => {
    const { request, answer } = example('create');
    const response = await graph(request!.method, request!.path.replace(/^\/v25\.0/, ''), { token: techProvider(), body: request!.body });
    expect(response.status).toBe(answer.status);
    expect(shapeOf(response.body)).toEqual(shapeOf(answer.body));
    expect((await details(response.body.solution_id)).status).toBe('INITIATED');
  });

  test.each([
    ['both sides', ['MESSAGING'], ['MESSAGING']],
    ['neither side', [], ['MANAGE']],
  ])('create: exactly one side holds MESSAGING; %s is 400 code 100', async (_, owner, partner) => {
    const answer = await graph('POST', `/${OWNER_APP}/whatsapp_business_solution`, { token: techProvider(), body: { ...CREATE_BODY, owner_permissions: owner, partner_permissions: partner } });
    expectGraphError(answer, { status: 400, code: 100 });
    expect(sim.state.solutions.size).toBe(0);
  });

  test.each([
    ['empty', ''],
    ['too long', 'x'.repeat(101)],
    ['missing', undefined],
  ])('create: a solution_name that is %s is 400 code 100', async (_, name) => {
    expectGraphError(await graph('POST', `/${OWNER_APP}/whatsapp_business_solution`, { token: techProvider(), body: { ...CREATE_BODY, solution_name: name } }), { status: 400, code: 100 });
  });

  test('create: only with a user token of the app’s owner who selected it', async () => {
    expectPermissionError(await graph('POST', `/${OWNER_APP}/whatsapp_business_solution`, { token: systemUser(), body: CREATE_BODY }));
    expectPermissionError(await graph('POST', `/${OWNER_APP}/whatsapp_business_solution`, { token: techProvider([OTHER_APP]), body: CREATE_BODY }));
  });

  test('example "accept": {partner_app_id} with our system-user token answers {solution_id, partner_status ACCEPTED, success true}; the solution becomes ACTIVE', async () => {
    const id = await create(techProvider());
    const { request, answer } = example('accept');
    const response = await accept(id, request!.body);
    expect(response.status).toBe(answer.status);
    expect(shapeOf(response.body)).toEqual(shapeOf(answer.body));
    expect(response.body).toEqual({ solution_id: id, partner_status: 'ACCEPTED', success: true });
    expect(await details(id, 'status,partners{partner_app,status}')).toEqual({ status: 'ACTIVE', partners: { data: [{ partner_app: { id: PARTNER_APP, name: expect.any(String) }, status: 'ACCEPTED' }] } });
  });

  test('accept: the reference requires partner_app_id; without it nothing is accepted', async () => {
    const id = await create(techProvider());
    expectGraphError(await accept(id, {}), { status: 400, code: 100, message: /partner_app_id/ });
    expect((await details(id)).status).toBe('INITIATED');
  });

  test('example "accept, not INITIATED": a second accept is 422 subcode 2207051', async () => {
    const id = await create(techProvider());
    await accept(id);
    const response = await accept(id);
    expect(response).toMatchObject({ status: 422, body: { error: { ...(example('accept, not INITIATED').answer.body as any).error, fbtrace_id: expect.any(String) } } });
  });

  test('example "accept, app not invited": 403 subcode 1349175 for a solution that does not invite our app', async () => {
    const id = madeElsewhere(APP(OWNER_APP), { partners: [{ app: APP('555'), permissions: ['MESSAGING'], status: 'NOTIFICATION_SENT' }] });
    const response = await accept(id);
    expect(response).toMatchObject({ status: 403, body: { error: { ...(example('accept, app not invited').answer.body as any).error, fbtrace_id: expect.any(String) } } });
  });

  test('only the invited partner app can accept: the owner’s user token, or our app token, is refused and changes nothing', async () => {
    const token = techProvider();
    const id = await create(token);
    expectPermissionError(await accept(id, { partner_app_id: PARTNER_APP }, token));
    expectPermissionError(await accept(id, { partner_app_id: PARTNER_APP }, appToken()));
    expectPermissionError(await accept(id, { partner_app_id: '555' }));
    expect((await details(id)).status).toBe('INITIATED');
  });

  test('example "unknown object": 404 code 803 for an ID that is no object, on every solution call', async () => {
    const expected = example('unknown object').answer;
    for (const [method, path] of [['POST', '/999/accept'], ['GET', '/999'], ['GET', '/999/partners'], ['GET', '/999/whatsapp_business_solutions']] as const) {
      const response = await graph(method, path, { token: systemUser(), ...(method === 'POST' ? { body: { partner_app_id: PARTNER_APP } } : {}) });
      expect([path, response.status, response.body]).toEqual([path, expected.status, { error: { ...(expected.body as any).error, fbtrace_id: expect.any(String) } }]);
    }
  });
});

describe('docs/graph-api.md § Solution details', () => {
  test('example "details, no fields": only name, status, status_for_pending_request and id', async () => {
    const id = await create(techProvider());
    const { answer } = example('details, no fields');
    const body = await details(id);
    expect(Object.keys(body).sort()).toEqual(Object.keys(answer.body as object).sort());
    expect(body).toEqual({ ...(answer.body as object), id, name: CREATE_BODY.solution_name });
  });

  test('example "details with the partners edge": every top-level field and partners{partner_app, partner_permissions, status}', async () => {
    const id = await create(techProvider());
    const { request, answer } = example('details with the partners edge');
    expect(request!.query!.fields).toBe(FIELDS_WITH_PARTNERS);
    const body = await details(id, request!.query!.fields);
    expect(shapeOf(body)).toEqual(shapeOf(answer.body));
    // Owner [] and partner [MESSAGING] asked: both get the default set on top (Meta's example, same values).
    expect(body).toEqual({ ...(answer.body as object), id, name: CREATE_BODY.solution_name, owner_app: { id: OWNER_APP, name: 'media_monsoon_prod' }, partners: { data: [{ ...(answer.body as any).partners.data[0], partner_app: { id: PARTNER_APP, name: sim.state.partnerApp.name } }] } });
  });

  test('the MPS page’s own query answers exactly what it names: fields=name,owner_permissions,partners{partner_permissions,partner_app}', async () => {
    const id = await create(techProvider());
    const body = await details(id, 'name,owner_permissions,partners{partner_permissions,partner_app}');
    expect(Object.keys(body).sort()).toEqual(['name', 'owner_permissions', 'partners']);
    expect(Object.keys(body.partners.data[0]).sort()).toEqual(['partner_app', 'partner_permissions']);
  });

  test.each(['partner_app', 'partner_permissions'])('there is no top-level %s: (#100) Tried accessing nonexisting field, on details and on the listing', async (field) => {
    const token = techProvider();
    const id = await create(token);
    const message = `(#100) Tried accessing nonexisting field (${field}) on node type (WhatsAppBusinessSolution)`;
    expectGraphError(await graph('GET', `/${id}`, { token, query: { fields: `id,name,${field}` } }), { status: 400, code: 100, message });
    expectGraphError(await graph('GET', `/${OWNER_APP}/whatsapp_business_solutions`, { token, query: { role: 'OWNER', fields: `id,${field}` } }), { status: 400, code: 100, message });
  });

  test('example "a field the node does not have", byte for byte but the trace id, even for an app with no solution yet', async () => {
    const { request, answer } = example('a field the node does not have');
    const response = await graph('GET', `/${OWNER_APP}/whatsapp_business_solutions`, { token: techProvider(), query: request!.query });
    expect(sim.state.solutions.size).toBe(0);
    expect(response.status).toBe(answer.status);
    expect(response.body).toEqual({ error: { ...(answer.body as any).error, fbtrace_id: expect.any(String) } });
  });

  test.each([
    ['a nested app', '/{id}', 'owner_app{id,secret}', 'secret', 'Application'],
    // Graph's type name for a partner entry is not documented: WhatsAppBusinessSolutionPartner is the simulator's.
    ['an entry of the partners edge', '/{id}', 'partners{partner_app,permissions}', 'permissions', 'WhatsAppBusinessSolutionPartner'],
    ['GET /{id}/partners', '/{id}/partners', 'partner_app,partner_status', 'partner_status', 'WhatsAppBusinessSolutionPartner'],
    ['the selected apps listing', '/me/assigned_applications', 'id,category', 'category', 'Application'],
  ])('every node refuses a field it does not have: %s', async (_, path, fields, field, nodeType) => {
    const token = techProvider();
    const id = await create(token);
    const response = await graph('GET', path.replace('{id}', id), { token, query: { fields } });
    expectGraphError(response, { status: 400, code: 100, message: `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})` });
  });

  test('fields Graph cannot parse, or subfields of a plain value, are refused (modifiers such as .limit() are not modelled)', async () => {
    const id = await create(techProvider());
    for (const fields of ['id,partners{partner_app', 'id,,name', 'name{first}', 'partners.limit(1)']) {
      expectRefusal(await graph('GET', `/${id}`, { token: systemUser(), query: { fields } }));
    }
  });

  test.each([
    ['a solution', 'whatsapp_business_solutions', 'WhatsAppBusinessSolution'],
    ['an app', 'partners', 'Application'],
  ])('an edge is a field: GET on an edge %s does not have is the same (#100)', async (_, edge, nodeType) => {
    const token = techProvider();
    const id = await create(token);
    const object = nodeType === 'Application' ? OWNER_APP : id;
    expectGraphError(await graph('GET', `/${object}/${edge}`, { token }), { status: 400, code: 100, message: `(#100) Tried accessing nonexisting field (${edge}) on node type (${nodeType})` });
    expectGraphError(await graph('GET', `/${id}/comments`, { token }), { status: 400, code: 100, message: '(#100) Tried accessing nonexisting field (comments) on node type (WhatsAppBusinessSolution)' });
  });

  test('GET /{id}/partners answers the edge on its own: {data: [{partner_app, partner_permissions, status}]} as asked', async () => {
    const id = await create(techProvider());
    const { body } = await graph('GET', `/${id}/partners`, { token: systemUser(), query: { fields: 'partner_app,partner_permissions,status' } });
    expect(body.data).toEqual([{ partner_app: { id: PARTNER_APP, name: expect.any(String) }, partner_permissions: expect.arrayContaining(['MESSAGING']), status: 'NOTIFICATION_SENT' }]);
  });

  test('status and status_for_pending_request: INITIATED + PENDING_ACTIVATION when new, ACTIVE + NONE once every partner accepted', async () => {
    const id = await create(techProvider());
    expect(await details(id, 'status,status_for_pending_request')).toEqual({ status: 'INITIATED', status_for_pending_request: 'PENDING_ACTIVATION' });
    await accept(id);
    expect(await details(id, 'status,status_for_pending_request')).toEqual({ status: 'ACTIVE', status_for_pending_request: 'NONE' });
  });

  test('the creator chooses only MESSAGING; both apps get the default set; every documented permission value is taken, others are not', async () => {
    const token = techProvider();
    const ownerSends = await create(token, OWNER_APP, { ...CREATE_BODY, owner_permissions: ['MESSAGING'], partner_permissions: [] });
    expect(await details(ownerSends, 'owner_permissions,partners{partner_permissions}')).toEqual({
      owner_permissions: ['MESSAGING', 'MANAGE', 'DEVELOP', 'MANAGE_TEMPLATES', 'VIEW_INSIGHTS'],
      partners: { data: [{ partner_permissions: ['MANAGE', 'DEVELOP', 'MANAGE_TEMPLATES', 'VIEW_INSIGHTS'] }] },
    });
    const documented = ['MESSAGING', 'MANAGE', 'DEVELOP', 'MANAGE_TEMPLATES', 'MANAGE_PHONE', 'VIEW_COST', 'MANAGE_EXTENSIONS', 'VIEW_PHONE_ASSETS', 'MANAGE_PHONE_ASSETS', 'VIEW_TEMPLATES', 'VIEW_INSIGHTS'];
    await expect(create(token, OWNER_APP, { ...CREATE_BODY, partner_permissions: documented })).resolves.toMatch(/^\d+$/);
    expectGraphError(await graph('POST', `/${OWNER_APP}/whatsapp_business_solution`, { token, body: { ...CREATE_BODY, partner_permissions: ['MESSAGING', 'SEND_ANYTHING'] } }), { status: 400, code: 100 });
  });

  test('a solution is read by either partner: the owner’s user token and our system-user token, no one else', async () => {
    const id = await create(techProvider());
    expect((await graph('GET', `/${id}`, { token: techProvider([OWNER_APP]) })).status).toBe(200);
    expect((await graph('GET', `/${id}`, { token: systemUser() })).status).toBe(200);
    expectRefusal(await graph('GET', `/${id}`, { token: techProvider([OTHER_APP]) }));
  });

  test('the simulator’s choice: a Tech Provider token without manage_app_solution reads and lists no solution', async () => {
    const token = techProvider();
    const id = await create(token);
    const withoutScope = sim.state.issueUserToken({ appIds: [OWNER_APP], scopes: ['public_profile'] }).token;
    expectRefusal(await graph('GET', `/${id}`, { token: withoutScope }));
    expectPermissionError(await graph('GET', `/${OWNER_APP}/whatsapp_business_solutions`, { token: withoutScope }));
  });
});

describe('docs/graph-api.md § Listing an app’s solutions', () => {
  test('example "list an app own solutions": role=OWNER, named fields and limit with the Tech Provider’s token on its app', async () => {
    const token = techProvider();
    const id = await create(token);
    const { request, answer } = example('list an app own solutions');
    const { status, body } = await graph('GET', `/${OWNER_APP}/whatsapp_business_solutions`, { token, query: request!.query });
    expect(status).toBe(answer.status);
    expect(shapeOf(body)).toEqual(shapeOf(answer.body));
    expect(body.data).toEqual([{ id, name: CREATE_BODY.solution_name, status: 'INITIATED', partners: { data: [{ partner_app: { id: PARTNER_APP, name: expect.any(String) } }] } }]);
  });

  test('example "list every solution that invites us": role=PARTNER with our system-user token on our own app, no Tech Provider token needed', async () => {
    const token = techProvider();
    const ids = [await create(token, OWNER_APP), await create(token, OTHER_APP)];
    sim.state.expireToken(token);
    madeElsewhere(APP(OWNER_APP), { partners: [{ app: APP('555'), permissions: ['MESSAGING'], status: 'NOTIFICATION_SENT' }] });
    const { request, answer } = example('list every solution that invites us');
    const { status, body } = await graph('GET', `/${PARTNER_APP}/whatsapp_business_solutions`, { token: systemUser(), query: request!.query });
    expect(status).toBe(answer.status);
    expect(shapeOf(body)).toEqual(shapeOf(answer.body));
    expect(body.data.map((s: { id: string; owner_app: { id: string } }) => [s.id, s.owner_app.id])).toEqual([
      [ids[0], OWNER_APP],
      [ids[1], OTHER_APP],
    ]);
  });

  test('without fields, the listing answers name, status, status_for_pending_request and id', async () => {
    const token = techProvider();
    const id = await create(token);
    const { body } = await graph('GET', `/${OWNER_APP}/whatsapp_business_solutions`, { token });
    expect(body.data).toEqual([{ id, name: CREATE_BODY.solution_name, status: 'INITIATED', status_for_pending_request: 'PENDING_ACTIVATION' }]);
  });

  test('role OWNER, PARTNER or none (both); anything else is 400 code 100', async () => {
    const owned = madeElsewhere(sim.state.partnerApp, { partners: [{ app: APP(OWNER_APP), permissions: ['MESSAGING'], status: 'NOTIFICATION_SENT' }] });
    const invitingUs = await create(techProvider());
    const ids = async (role?: string) =>
      (await graph('GET', `/${PARTNER_APP}/whatsapp_business_solutions`, { token: systemUser(), ...(role ? { query: { role } } : {}) })).body.data.map((s: { id: string }) => s.id);
    expect(await ids('OWNER')).toEqual([owned]);
    expect(await ids('PARTNER')).toEqual([invitingUs]);
    expect((await ids()).sort()).toEqual([owned, invitingUs].sort());
    expectGraphError(await graph('GET', `/${PARTNER_APP}/whatsapp_business_solutions`, { token: systemUser(), query: { role: 'ADMIN' } }), { status: 400, code: 100 });
  });

  test('the simulator’s choice: a draft is listed for its owner, not for the partner it has not invited yet', async () => {
    const draft = madeElsewhere(APP(OWNER_APP), { status: 'DRAFT', statusForPendingRequest: 'NONE' });
    const forOwner = await graph('GET', `/${OWNER_APP}/whatsapp_business_solutions`, { token: techProvider(), query: { role: 'OWNER' } });
    expect(forOwner.body.data.map((s: { id: string }) => s.id)).toEqual([draft]);
    const forUs = await graph('GET', `/${PARTNER_APP}/whatsapp_business_solutions`, { token: systemUser(), query: { role: 'PARTNER' } });
    expect(forUs.body.data).toEqual([]);
  });

  test('limit: 25 by default, at most 100; cursors after and before page forward and back', async () => {
    const ids = Array.from({ length: 130 }, (_, i) => madeElsewhere(APP(OWNER_APP), {}, `solution ${i}`));
    const token = techProvider();
    const list = (query: Record<string, string>) => graph('GET', `/${OWNER_APP}/whatsapp_business_solutions`, { token, query: { fields: 'id', ...query } }).then((r) => r.body);
    const ofIds = (page: { data: { id: string }[] }) => page.data.map((s) => s.id);

    const first = await list({});
    expect(ofIds(first)).toEqual(ids.slice(0, 25));
    expect(first.paging).toEqual({ cursors: { before: expect.any(String), after: expect.any(String) }, next: expect.any(String) });
    expect(ofIds(await list({ limit: '500' }))).toEqual(ids.slice(0, 100));

    const second = await list({ limit: '100', after: first.paging.cursors.after });
    expect(ofIds(second)).toEqual(ids.slice(25, 125));
    const viaNext = await fetch(first.paging.next, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
    expect(ofIds(viaNext)).toEqual(ids.slice(25, 50));
    expect(ofIds(await list({ limit: '10', before: second.paging.cursors.before }))).toEqual(ids.slice(15, 25));
    const last = await list({ limit: '100', after: second.paging.cursors.after });
    expect(ofIds(last)).toEqual(ids.slice(125));
    expect(last.paging).not.toHaveProperty('next');
    expect(last.paging.previous).toEqual(expect.any(String));
  });

  test('the listing holds the same objects as the details call', async () => {
    const token = techProvider();
    const id = await create(token);
    const listed = (await graph('GET', `/${OWNER_APP}/whatsapp_business_solutions`, { token, query: { fields: FIELDS_WITH_PARTNERS } })).body.data;
    expect(listed).toEqual([await details(id, FIELDS_WITH_PARTNERS)]);
  });

  test('only a token of that app may list: the Tech Provider on an app it did not select, or our token on its app, is refused', async () => {
    expectPermissionError(await graph('GET', `/${OWNER_APP}/whatsapp_business_solutions`, { token: techProvider([OTHER_APP]) }));
    expectPermissionError(await graph('GET', `/${OWNER_APP}/whatsapp_business_solutions`, { token: systemUser() }));
  });
});

/** docs/graph-api.md names who may make each call and when; the answers' bodies and codes are the simulator's choice. */
describe('docs/graph-api.md § Other solution calls', () => {
  const post = (id: string, edge: string, token: string) => graph('POST', `/${id}/${edge}`, { token, body: {} });
  const state = (id: string) => details(id, 'status,status_for_pending_request,partners{status}');

  test('reject: the invited partner declines while INITIATED; not possible once accepted', async () => {
    const token = techProvider();
    const declined = await create(token);
    expect((await post(declined, 'reject', systemUser())).body).toEqual({ success: true });
    expect(await state(declined)).toEqual({ status: 'REJECTED', status_for_pending_request: 'NONE', partners: { data: [{ status: 'REJECTED' }] } });

    const accepted = await create(token);
    await accept(accepted);
    expectRefusal(await post(accepted, 'reject', systemUser()));
    expect((await state(accepted)).status).toBe('ACTIVE');
  });

  test('send_deactivation_request: the owner asks, only while ACTIVE; the partner cannot', async () => {
    const token = techProvider();
    const id = await create(token);
    expectRefusal(await post(id, 'send_deactivation_request', token));
    await accept(id);
    expectPermissionError(await post(id, 'send_deactivation_request', systemUser()));
    expect((await post(id, 'send_deactivation_request', token)).body).toEqual({ success: true });
    // While pending, the solution is still ACTIVE (it still onboards customers).
    expect(await state(id)).toMatchObject({ status: 'ACTIVE', status_for_pending_request: 'PENDING_DEACTIVATION' });
  });

  test.each([
    ['accept_deactivation_request', 'DEACTIVATED'],
    ['reject_deactivation_request', 'ACTIVE'],
  ])('%s: the other party decides; the solution ends %s with no request pending', async (edge, status) => {
    const token = techProvider();
    const id = await create(token);
    await accept(id);
    expectRefusal(await post(id, edge, systemUser()));
    await post(id, 'send_deactivation_request', token);
    expectPermissionError(await post(id, edge, token));
    expect((await post(id, edge, systemUser())).body).toEqual({ success: true });
    expect(await state(id)).toMatchObject({ status, status_for_pending_request: 'NONE' });
  });
});

describe('docs/graph-api.md § Errors', () => {
  test('token errors: 190 with subcode 463 for an expired token, 467 for an invalid one', async () => {
    const token = techProvider();
    sim.state.expireToken(token);
    expectGraphError(await graph('GET', '/me/assigned_applications', { token }), { status: 400, code: 190, subcode: 463 });
    expectGraphError(await graph('GET', '/me/assigned_applications', { token: 'EAAnot-a-token' }), { status: 400, code: 190, subcode: 467 });
  });

  test('throttling answers Graph’s codes (4 app, 17 user, 80007 WhatsApp business) with the usage headers; only the business use case gives an estimate', async () => {
    for (const [scope, code] of [['app', 4], ['user', 17], ['business', 80007]] as const) {
      sim.state.reset();
      const fresh = techProvider();
      sim.state.controls.rateLimits = [{ scope, maxCalls: 1, windowSeconds: 60 }];
      await graph('POST', `/${OWNER_APP}/whatsapp_business_solution`, { token: fresh, body: CREATE_BODY });
      const throttled = await graph('POST', `/${OWNER_APP}/whatsapp_business_solution`, { token: fresh, body: CREATE_BODY });
      expectRefusal(throttled);
      expect([scope, throttled.body.error.code]).toEqual([scope, code]);
      const usage = JSON.parse(throttled.headers.get('x-business-use-case-usage') ?? 'null');
      if (scope === 'business') {
        expect(Object.values(usage)).toEqual([[{ type: expect.any(String), call_count: 100, total_cputime: 100, total_time: 100, estimated_time_to_regain_access: expect.any(Number) }]]);
      } else {
        // Platform limits report their usage in X-App-Usage only; an app-wide one reads 100 %.
        expect(usage).toBeNull();
        if (scope === 'app') expect(JSON.parse(throttled.headers.get('x-app-usage') ?? '{}')).toMatchObject({ call_count: 100 });
      }
    }
  });

  test('an hourly allowance (Graph’s shape, its hour sped up): usage is the percent used over the rolling hour, refusals past 100 %, the estimate in real minutes', async () => {
    const token = techProvider();
    // 4 calls an hour, an hour of 2 s: a minute lasts 1/30 s.
    const timeFactor = 1800;
    const put = await fetch(`${sim.url}/__sim/rate-limits`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ scope: 'business', callsPerHour: 4, timeFactor }]) });
    expect(put.status).toBe(200);
    const create = () => graph('POST', `/${OWNER_APP}/whatsapp_business_solution`, { token, body: CREATE_BODY });
    const callCounts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const answer = await create();
      expect(answer.status).toBe(200);
      callCounts.push(Object.values(JSON.parse(answer.headers.get('x-business-use-case-usage') ?? '{}') as Record<string, { call_count: number }[]>)[0]![0]!.call_count);
    }
    expect(callCounts).toEqual([25, 50, 75, 100]);
    const started = Date.now();
    const refused = await create();
    expectRefusal(refused);
    expect(refused.body.error.code).toBe(80007);
    const minutes = Object.values(JSON.parse(refused.headers.get('x-business-use-case-usage') ?? '{}') as Record<string, { estimated_time_to_regain_access: number }[]>)[0]![0]!.estimated_time_to_regain_access;
    // Real minutes: at most the sped-up hour (2 s), at least one sped-up minute.
    expect(minutes * 60_000).toBeGreaterThanOrEqual(60_000 / timeFactor);
    expect(minutes * 60_000).toBeLessThanOrEqual(2_000 + 60_000 / timeFactor);
    // Once the estimate has passed, the hour has rolled on: calls go again.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, minutes * 60_000 - (Date.now() - started)) + 20));
    expect((await create()).status).toBe(200);
  });

  test('a rate limit is either an hourly allowance or a window of seconds, nothing else', async () => {
    for (const limit of [{ scope: 'app', callsPerHour: 0 }, { scope: 'app', callsPerHour: 10, windowSeconds: 1 }, { scope: 'app', maxCalls: 5 }, { scope: 'page', callsPerHour: 10 }]) {
      const answer = await fetch(`${sim.url}/__sim/rate-limits`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify([limit]) });
      expect([limit, answer.status]).toEqual([limit, 400]);
    }
  });

  test('X-App-Usage {call_count, total_cputime, total_time} on every answer, errors included', async () => {
    const token = techProvider();
    for (const response of [await graph('GET', '/me/assigned_applications', { token }), await graph('GET', '/999', { token }), await graph('POST', `/${OWNER_APP}/whatsapp_business_solution`, { token, body: CREATE_BODY })]) {
      expect(JSON.parse(response.headers.get('x-app-usage') ?? 'null')).toEqual({ call_count: expect.any(Number), total_cputime: expect.any(Number), total_time: expect.any(Number) });
    }
  });
});

describe('docs/graph-api.md § The JS SDK side', () => {
  test('the stand-in serves sdk.js, and its login answers FB.login’s authResponse fields', async () => {
    const sdk = await fetch(`${sim.url}/sdk.js`);
    expect(sdk.headers.get('content-type')).toMatch(/javascript/);
    expect(await sdk.text()).toContain('FB');
    const authResponse = await fetch(`${sim.url}/__sim/consent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appIds: [OWNER_APP] }) }).then((r) => r.json());
    expect(authResponse).toEqual(
      expect.objectContaining({ accessToken: expect.any(String), expiresIn: expect.any(Number), reauthorize_required_in: expect.any(Number), signedRequest: expect.any(String), userID: expect.any(String), data_access_expiration_time: expect.any(Number) }),
    );
  });
});

/**
 * docs/graph-api.md § Clients onboarded through a solution, held to the examples: the IDs in the
 * examples are the seed's (our business, system user, credit line) or given to the onboarded client.
 */
describe('docs/graph-api.md § Clients onboarded through a solution', () => {
  const TP_BUSINESS = '520744086200222';
  const CLIENT = { wabaId: '980198427658004', wabaName: 'Monsoon Shoes', businessId: '2329417887457253', businessName: 'Monsoon Shoes Ltd' };
  const request = (name: string) => {
    const { method, path, query } = example(name).request!;
    return graph(method, path.replace(/^\/v25\.0/, ''), { token: systemUser(), query });
  };
  /** An ACTIVE solution of a Tech Provider whose portfolio is the examples' partner business, and the examples' client onboarded through it. */
  function onboarded(partnerPermissions = ['MESSAGING']) {
    const app = { id: '777000000000001', name: 'monsoon_shop_app' };
    sim.state.addTechProvider({ userId: '2000000000000009', name: 'Monsoon Shop', businessId: TP_BUSINESS, apps: [app] });
    const solution = sim.state.createSolution(app, { name: 'shop', ownerPermissions: partnerPermissions.includes('MESSAGING') ? [] : ['MESSAGING'], partnerPermissions });
    sim.state.acceptInvitation(solution.id, PARTNER_APP);
    return { solutionId: solution.id, ...sim.state.onboardClient(solution.id, { ...CLIENT, events: 'added', noWebhook: true }) };
  }
  const errorOf = (name: string) => ({ error: { ...(example(name).answer.body as any).error, fbtrace_id: expect.any(String) } });

  test('example "find our credit line": exactly the seed’s line, id and legal_entity_name', async () => {
    const { answer } = example('find our credit line');
    expect(await request('find our credit line')).toMatchObject({ status: answer.status, body: answer.body });
  });

  test('example "assign our system user to the client’s WABA": user and tasks=[\'MANAGE\'] in the query → {success: true}', async () => {
    onboarded();
    const { answer } = example("assign our system user to the client's WABA");
    expect(await request("assign our system user to the client's WABA")).toMatchObject({ status: answer.status, body: answer.body });
    const users = await graph('GET', `/${CLIENT.wabaId}/assigned_users`, { token: systemUser(), query: { business: sim.state.seed.partnerBusiness.id } });
    expect(users.body.data).toEqual([{ id: sim.state.seed.systemUserId, name: expect.any(String), tasks: ['MANAGE'] }]);
  });

  test('example "credit sharing refused for lack of permission": 403 (#200) Permissions error while our system user is not assigned', async () => {
    onboarded();
    const { answer } = example('credit sharing refused for lack of permission');
    expect(await request('credit sharing refused for lack of permission')).toEqual({ status: answer.status, headers: expect.anything(), body: errorOf('credit sharing refused for lack of permission') });
  });

  test('examples "share and attach the credit line" and "verify the allocation": receiving_credential equals primary_funding_id read with the client’s business token', async () => {
    const { solutionId } = onboarded();
    await request("assign our system user to the client's WABA");
    const shared = await request('share and attach the credit line');
    const sharedExample = example('share and attach the credit line').answer;
    expect(shared.status).toBe(sharedExample.status);
    expect(shapeOf(shared.body)).toEqual(shapeOf(sharedExample.body));
    expect(shared.body.waba_id).toBe(CLIENT.wabaId);

    const verifyExample = example('verify the allocation');
    const verified = await graph('GET', `/${shared.body.allocation_config_id}`, { token: systemUser(), query: verifyExample.request!.query });
    expect(verified.status).toBe(verifyExample.answer.status);
    expect(shapeOf(verified.body)).toEqual(shapeOf(verifyExample.answer.body));
    expect(Object.keys(verified.body)).toEqual(Object.keys(verifyExample.answer.body as object));

    const token = (await graph('GET', `/${solutionId}/access_token`, { token: systemUser(), query: { business_id: CLIENT.businessId } })).body.access_token;
    const funding = await graph('GET', `/${CLIENT.wabaId}`, { token, query: { fields: 'primary_funding_id' } });
    expect(funding.body).toEqual({ primary_funding_id: verified.body.receiving_credential.id, id: CLIENT.wabaId });
  });

  test('example "the client’s business token from the solution (reference shape)": {access_token, expires_at}; the guide’s {data: [{access_token}]} when switched', async () => {
    const { solutionId } = onboarded();
    const { request: asked, answer } = example("the client's business token from the solution (reference shape)");
    expect(asked!.query).toEqual({ business_id: CLIENT.businessId });
    const reference = await graph('GET', `/${solutionId}/access_token`, { token: systemUser(), query: asked!.query });
    expect(reference.status).toBe(answer.status);
    expect(shapeOf(reference.body)).toEqual(shapeOf(answer.body));
    sim.state.accessTokenShape = 'guide';
    const guide = await graph('GET', `/${solutionId}/access_token`, { token: systemUser(), query: asked!.query });
    expect(guide.body).toEqual({ data: [{ access_token: expect.any(String) }] });
    expect(sim.state.businessTokens().map((t) => t.token)).toEqual([reference.body.access_token, guide.body.data[0].access_token]);
  });

  test('example "clients shared with us, webhook fallback": the filter on the Tech Provider’s business, the fields asked, cursor paging', async () => {
    onboarded();
    const { answer } = example('clients shared with us, webhook fallback');
    const listed = await request('clients shared with us, webhook fallback');
    expect(listed.status).toBe(answer.status);
    expect(shapeOf(listed.body)).toEqual(shapeOf(answer.body));
    expect(listed.body.data).toEqual((answer.body as any).data);
  });
});
