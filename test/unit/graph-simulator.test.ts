import { GraphClient } from '../../lambdas/graph/graph-client';
import { GraphError } from '../../lambdas/graph/graph-error';
import { startGraphSimulator, type GraphSimulator } from '../../local/graph-simulator/server';
import { rejectionOf } from '../support/rejection';

/** The simulator's controls (latency, rate limits, fault rules), seen through the pipeline's own Graph client. */
let sim: GraphSimulator;
const PARTNER = '1000000000000001';
const APP = '634974688087057';
const graph = (timeoutMs = 2000) => new GraphClient({ baseUrl: sim.url, version: 'v25.0', timeoutMs, appListingPath: 'me/assigned_applications' });
const body = { ownerPermissions: [], partnerAppId: PARTNER, partnerPermissions: ['MESSAGING'], solutionName: 'n' };
const create = (token: string, client = graph()) => client.createSolution(APP, body, token);

beforeAll(async () => {
  sim = await startGraphSimulator();
});
afterAll(() => sim.stop());
beforeEach(() => sim.state.reset());

const login = () => sim.state.issueUserToken({ appIds: [APP] }).token;

describe('Graph simulator controls', () => {
  test('the next N creates for an app fail with the given error, then creates succeed; failed calls create nothing', async () => {
    const token = login();
    sim.state.controls.addFault({ operation: 'create_solution', objectId: APP, times: 2, effect: { type: 'error', status: 503, code: 2, isTransient: true } });

    for (let i = 0; i < 2; i++) {
      const error = await rejectionOf(create(token), GraphError);
      expect(error).toMatchObject({ errorClass: 'transient', httpStatus: 503, details: { code: 2 } });
    }
    expect(sim.state.solutions.size).toBe(0);
    await expect(create(token)).resolves.toMatch(/^\d+$/);
    expect(sim.state.controls.faults).toHaveLength(0);
  });

  test('a fault for another app or another call does not hit', async () => {
    const token = login();
    sim.state.controls.addFault({ operation: 'create_solution', objectId: '999', effect: { type: 'error', status: 500, code: 1 } });
    sim.state.controls.addFault({ operation: 'accept_solution', effect: { type: 'error', status: 500, code: 1 } });
    await expect(create(token)).resolves.toMatch(/^\d+$/);
  });

  test('probability 0 never hits; probability 1 always does', async () => {
    const token = login();
    const rule = sim.state.controls.addFault({ operation: 'create_solution', probability: 0, effect: { type: 'error', status: 500, code: 1 } });
    await expect(create(token)).resolves.toBeDefined();
    rule.probability = 1;
    await expect(create(token)).rejects.toBeInstanceOf(GraphError);
  });

  test('an `after` fault lets Graph do the work and loses the answer', async () => {
    const token = login();
    sim.state.controls.addFault({ operation: 'create_solution', phase: 'after', times: 1, effect: { type: 'error', status: 500, code: 1, isTransient: true } });
    await expect(create(token)).rejects.toBeInstanceOf(GraphError);
    expect([...sim.state.solutions.values()].map((s) => s.name)).toEqual(['n']);
  });

  test('an error rule may carry response headers: a throttle’s own hold (Retry-After, or the business use case estimate) is what the client waits', async () => {
    const token = login();
    sim.state.controls.addFault({ operation: 'create_solution', times: 1, effect: { type: 'error', status: 400, code: 4, message: '(#4) Application request limit reached', headers: { 'retry-after': '4' } } });
    const estimate = JSON.stringify({ [APP]: [{ type: 'whatsapp', call_count: 100, total_cputime: 100, total_time: 100, estimated_time_to_regain_access: 2 }] });
    sim.state.controls.addFault({ operation: 'create_solution', times: 1, effect: { type: 'error', status: 400, code: 80007, headers: { 'x-business-use-case-usage': estimate } } });
    await expect(rejectionOf(create(token), GraphError)).resolves.toMatchObject({ errorClass: 'throttled', retryAfterSeconds: 4 });
    await expect(rejectionOf(create(token, graph()), GraphError)).resolves.toMatchObject({ errorClass: 'throttled', retryAfterSeconds: 120 });
  });

  test('a hanging call runs into the client’s timeout, as a transient error', async () => {
    const token = login();
    sim.state.controls.addFault({ operation: 'create_solution', times: 1, effect: { type: 'hang' } });
    const error = await rejectionOf(create(token, graph(200)), GraphError);
    expect(error).toMatchObject({ errorClass: 'transient', httpStatus: 0 });
    expect(sim.state.requests.at(-1)).toMatchObject({ path: `/${APP}/whatsapp_business_solution`, status: 0 });
  });

  test('a malformed body is a transient error', async () => {
    const token = login();
    sim.state.controls.addFault({ operation: 'create_solution', times: 1, effect: { type: 'malformed' } });
    await expect(rejectionOf(create(token), GraphError)).resolves.toMatchObject({ errorClass: 'transient' });
  });

  test('an `answer` effect replaces Graph’s answer with the given one; one rule can be removed by its id over HTTP', async () => {
    const token = login();
    const rule = sim.state.controls.addFault({ operation: 'list_solutions', effect: { type: 'answer', status: 200, body: { data: [{ id: '1' }] } } });
    const listing = () => fetch(`${sim.url}/v25.0/${APP}/whatsapp_business_solutions`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
    expect(await listing()).toEqual({ data: [{ id: '1' }] });

    expect((await fetch(`${sim.url}/__sim/faults/${rule.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await listing()).toEqual({ data: [] });
    expect((await fetch(`${sim.url}/__sim/faults/${rule.id}`, { method: 'DELETE' })).status).toBe(404);
    const refused = await fetch(`${sim.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ effect: { type: 'answer', body: {} } }) });
    expect(refused.status).toBe(400);
  });

  test('latency delays every answer', async () => {
    const token = login();
    sim.state.controls.latency = { fixedMs: 150, jitterMs: 0 };
    const started = Date.now();
    await create(token);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  test('a user rate limit answers code 17 past the limit; without an estimate from Graph, the client holds that user’s calls, longer each time', async () => {
    const token = login();
    // A call waits for its turn at most its timeout: here less than any hold.
    const client = graph(500);
    sim.state.controls.rateLimits = [{ scope: 'user', maxCalls: 2, windowSeconds: 120 }];
    await create(token, client);
    await create(token, client);
    const error = await rejectionOf(create(token, client), GraphError);
    expect(error).toMatchObject({ errorClass: 'throttled', details: { code: 17 }, httpStatus: 400, retryAfterSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await expect(rejectionOf(create(token, client), GraphError)).resolves.toMatchObject({ details: { code: 17 }, httpStatus: 400, retryAfterSeconds: 2 });
    // During the hold, nothing is sent: the call fails at once, with the time left.
    const sent = sim.state.requests.length;
    await expect(rejectionOf(create(token, client), GraphError)).resolves.toMatchObject({ errorClass: 'throttled', httpStatus: 0 });
    expect(sim.state.requests.length).toBe(sent);
  });

  test('a WhatsApp business rate limit answers code 80007; usage headers report the share used', async () => {
    const token = login();
    sim.state.controls.rateLimits = [{ scope: 'business', maxCalls: 4, windowSeconds: 60 }];
    const response = await fetch(`${sim.url}/v25.0/${APP}/whatsapp_business_solution`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ owner_permissions: [], partner_app_id: PARTNER, partner_permissions: ['MESSAGING'], solution_name: 'n' }),
    });
    const usage = JSON.parse(response.headers.get('x-business-use-case-usage') ?? '{}');
    expect(Object.values(usage)).toEqual([[expect.objectContaining({ type: 'whatsapp', call_count: 25, estimated_time_to_regain_access: 0 })]]);
    expect(JSON.parse(response.headers.get('x-app-usage') ?? '{}')).toHaveProperty('call_count');
    for (let i = 0; i < 3; i++) await create(token);
    await expect(rejectionOf(create(token), GraphError)).resolves.toMatchObject({ errorClass: 'throttled', details: { code: 80007 } });
  });

  test('an hourly app allowance, sped up: X-App-Usage is the percent used over the hour; past it, code 4 until the oldest call leaves the hour', async () => {
    const token = login();
    // 4 calls an hour that lasts 1 s.
    sim.state.controls.rateLimits = [{ scope: 'app', callsPerHour: 4, timeFactor: 3_600 }];
    const appUsage = async () => {
      const response = await fetch(`${sim.url}/v25.0/me/assigned_applications`, { headers: { authorization: `Bearer ${token}` } });
      return [response.status, JSON.parse(response.headers.get('x-app-usage') ?? '{}').call_count];
    };
    const readings = [];
    for (let i = 0; i < 5; i++) readings.push(await appUsage());
    expect(readings).toEqual([[200, 25], [200, 50], [200, 75], [200, 100], [400, 100]]);
    await expect(rejectionOf(create(token), GraphError)).resolves.toMatchObject({ errorClass: 'throttled', details: { code: 4 } });
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await expect(appUsage()).resolves.toEqual([200, 25]);
  });

  test('an hourly business allowance, sped up: the client holds for Graph’s estimate, in real time', async () => {
    const token = login();
    // 2 creates an hour that lasts 6 s (a minute: 100 ms).
    sim.state.controls.rateLimits = [{ scope: 'business', callsPerHour: 2, timeFactor: 600 }];
    const client = graph();
    await create(token, client);
    await create(token, client);
    const error = await rejectionOf(create(token, client), GraphError);
    // At most the 6 s hour, in whole seconds: never Graph's minutes read as real ones (6 minutes here).
    expect(error).toMatchObject({ errorClass: 'throttled', details: { code: 80007 }, httpStatus: 400 });
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(7);
  });

  test('the controls are reachable over HTTP, and reset clears them', async () => {
    const post = await fetch(`${sim.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'accept_solution', times: 1, effect: { type: 'error', status: 500, code: 1 } }),
    });
    expect(post.status).toBe(201);
    await fetch(`${sim.url}/__sim/latency`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fixedMs: 5 }) });
    expect(await (await fetch(`${sim.url}/__sim/faults`)).json()).toEqual([expect.objectContaining({ operation: 'accept_solution', times: 1, phase: 'before' })]);
    const refused = await fetch(`${sim.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ effect: { type: 'explode' } }) });
    expect(refused.status).toBe(400);

    await fetch(`${sim.url}/__sim/reset`, { method: 'POST' });
    expect(sim.state.controls.faults).toEqual([]);
    expect(sim.state.controls.latency).toEqual({ fixedMs: 0, jitterMs: 0 });
  });

  test('a login can be made for another app, as debug_token then shows', async () => {
    const { token } = sim.state.issueUserToken({ appIds: [APP], forAppId: '42' });
    await expect(graph().debugToken(token, `${PARTNER}|${sim.state.seed.appSecret}`)).resolves.toMatchObject({ appId: '42', isValid: true });
  });
});
