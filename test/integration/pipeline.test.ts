import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { PipelineDriver } from '../support/pipeline-driver';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process';

/**
 * The whole pipeline in the local runtime, on DynamoDB Local, fauxqs and the Graph simulator:
 * the program `npm start` runs, driven over HTTP as the onboarding page drives it.
 */
let runtime: RuntimeProcess;
let pipeline: PipelineDriver;

const PARTNER_APP_ID = '1000000000000001';
const SYSTEM_USER_TOKEN = 'integration-system-user-token';
const [PROD, STAGING] = ['634974688087057', '634974688087058'];

beforeAll(async () => {
  runtime = await startRuntimeProcess({ env: { SYSTEM_USER_TOKEN, APP_SECRET: 'integration-app-secret' } });
  pipeline = new PipelineDriver(runtime);
}, 90_000);

afterAll(async () => {
  pipeline?.destroy();
  await runtime?.stop();
});

const tableItemCount = async () => (await pipeline.db.send(new ScanCommand({ TableName: runtime.endpoints.tableName, Select: 'COUNT' }))).Count ?? 0;

describe('local pipeline, end to end', () => {
  test('a Tech Provider with two selected apps ends with two solutions created with its token and accepted with the system-user token', async () => {
    const token = await pipeline.login([PROD, STAGING]);

    const started = await pipeline.postOnboarding(JSON.stringify({ accessToken: token, userID: 'ignored', expiresIn: 5183944 }));
    expect(started.status).toBe(202);
    expect(started.body).toEqual({
      onboardingId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      statusUrl: `/api/onboardings/${started.body.onboardingId}`,
      apps: [
        { appId: PROD, name: 'media_monsoon_prod' },
        { appId: STAGING, name: 'media_monsoon_staging' },
      ],
      status: 'IN_PROGRESS',
    });
    const { onboardingId } = started.body;

    const accepted = await pipeline.settled(onboardingId, ['ACCEPTED']);
    expect(accepted).toHaveLength(2);

    const requests = await pipeline.requests();
    const solutions = await pipeline.solutions();
    for (const item of accepted) {
      expect(item.solutionId).toMatch(/^\d+$/);
      const creates = requests.filter((r) => r.method === 'POST' && r.path === `/${item.appId}/whatsapp_business_solution`);
      expect(creates).toHaveLength(1);
      expect(creates[0]).toMatchObject({
        status: 200,
        auth: { kind: 'user', token },
        body: { owner_permissions: [], partner_app_id: PARTNER_APP_ID, partner_permissions: ['MESSAGING'], solution_name: item.solutionName },
      });
      const accepts = requests.filter((r) => r.method === 'POST' && r.path === `/${item.solutionId}/accept`);
      expect(accepts).toHaveLength(1);
      expect(accepts[0]).toMatchObject({ status: 200, auth: { kind: 'system-user', token: SYSTEM_USER_TOKEN } });
      expect(solutions.find((s) => s.id === item.solutionId)).toMatchObject({ status: 'ACTIVE', ownerApp: { id: item.appId } });
    }

    // The status endpoint reports what the records say.
    const status = await fetch(`${runtime.endpoints.http}${started.body.statusUrl}`).then((r) => r.json());
    expect(status).toMatchObject({ onboardingId, status: 'COMPLETED' });
    expect(status.solutions.map((s: { solutionId: string }) => s.solutionId).sort()).toEqual(accepted.map((i) => i.solutionId).sort());

    // The same token again: the same onboarding, nothing created twice.
    const again = await pipeline.postOnboarding(JSON.stringify({ accessToken: token }));
    // Its status is the onboarding's now.
    expect({ status: again.status, body: again.body }).toEqual({ status: 200, body: { ...started.body, status: 'COMPLETED' } });
    await sleep(500);
    expect((await pipeline.requests()).filter((r) => r.path.endsWith('/whatsapp_business_solution'))).toHaveLength(2);

    // Correlation: every function logged the onboarding id, and no log line holds a token.
    const logs = runtime.output();
    for (const fn of ['intake', 'createSolution', 'acceptSolution']) {
      expect(logs).toMatch(new RegExp(`"function_name":"${fn}"[^\\n]*"onboardingId":"${onboardingId}"`));
    }
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(SYSTEM_USER_TOKEN);
  }, 60_000);

  test('a second onboarding of an app that is already connected reports the live solution and creates nothing', async () => {
    const first = await pipeline.settled(await pipeline.start(await pipeline.login([PROD])), ['ACCEPTED', 'EXISTING']);
    const creates = async () => (await pipeline.requests()).filter((r) => r.path === `/${PROD}/whatsapp_business_solution`).length;
    const before = await creates();

    const [again] = await pipeline.settled(await pipeline.start(await pipeline.login([PROD])), ['EXISTING']);

    expect(again).toMatchObject({ status: 'EXISTING', solutionId: first[0]!.solutionId });
    expect(await creates()).toBe(before);
  }, 60_000);

  describe('bad input is answered with a clear error, and nothing is written or enqueued', () => {
    let itemsBefore: number;
    beforeAll(async () => {
      itemsBefore = await tableItemCount();
    });
    afterAll(async () => {
      expect(await tableItemCount()).toBe(itemsBefore);
      expect(await pipeline.queueDepth(runtime.endpoints.queues.createSolution)).toBe(0);
    });

    test.each([
      ['malformed JSON', '{"accessToken":', 'application/json', 400, 'MALFORMED_JSON'],
      ['a missing token', '{"userID":"1"}', 'application/json', 400, 'MISSING_TOKEN'],
      ['a blank token', '{"accessToken":"  "}', 'application/json', 400, 'MISSING_TOKEN'],
      ['a body that is not JSON', 'accessToken=x', 'application/x-www-form-urlencoded', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['a body over 8 KiB', JSON.stringify({ accessToken: 'x'.repeat(9000) }), 'application/json', 413, 'PAYLOAD_TOO_LARGE'],
      ['a token Graph does not know', '{"accessToken":"EAAnot-a-real-token"}', 'application/json', 401, 'INVALID_TOKEN'],
    ])('%s', async (_, body, contentType, status, code) => {
      const response = await pipeline.postOnboarding(body, contentType);
      expect({ status: response.status, body: response.body }).toEqual({ status, body: { error: { code, message: expect.any(String) } } });
      expect(response.body.error.message).not.toContain('EAAnot-a-real-token');
    });

    test('a Tech Provider who selected no app', async () => {
      const response = await pipeline.postOnboarding(JSON.stringify({ accessToken: await pipeline.login([]) }));
      expect({ status: response.status, body: response.body }).toEqual({ status: 422, body: { error: { code: 'NO_APP_SELECTED', message: expect.stringMatching(/select at least one app/) } } });
    });

    test('a Tech Provider who selected 101 apps (51 pages at the simulator’s 2 a page): 422 TOO_MANY_APPS, never Graph’s 502', async () => {
      const token = await pipeline.login(await pipeline.techProvider('9101', 101), '9101');
      const response = await pipeline.postOnboarding(JSON.stringify({ accessToken: token }));
      expect({ status: response.status, body: response.body }).toEqual({ status: 422, body: { error: { code: 'TOO_MANY_APPS', message: expect.stringMatching(/fewer apps/) } } });
    });

    test('a login made for another app', async () => {
      const { accessToken } = await pipeline.simulator<{ accessToken: string }>('POST', '/__sim/tokens', { appIds: [PROD], forAppId: '42' });
      const response = await pipeline.postOnboarding(JSON.stringify({ accessToken }));
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('TOKEN_FOR_ANOTHER_APP');
    });

    test('a login that did not grant manage_app_solution', async () => {
      const { accessToken } = await pipeline.simulator<{ accessToken: string }>('POST', '/__sim/tokens', { appIds: [PROD], scopes: ['public_profile'] });
      const response = await pipeline.postOnboarding(JSON.stringify({ accessToken }));
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('PERMISSION_NOT_GRANTED');
    });

    test('an unknown API path or method: 404 in the contract’s error shape', async () => {
      for (const [method, path] of [['GET', '/api/nothing-here'], ['DELETE', '/api/onboardings']]) {
        const response = await fetch(`${runtime.endpoints.http}${path}`, { method });
        expect([method, response.status, await response.json()]).toEqual([method, 404, { error: { code: 'NOT_FOUND', message: expect.any(String) } }]);
      }
    });

    test('an unknown onboarding id', async () => {
      const response = await fetch(`${runtime.endpoints.http}/api/onboardings/5b0d8f0e-3f4c-4b7e-9a51-2f0c3e7d9a11`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: { code: 'ONBOARDING_NOT_FOUND', message: expect.any(String) } });
    });
  });

  test('Graph unavailable for the POST’s check: the click is still taken (202 VERIFYING, never a 503), and checked from the queue', async () => {
    await pipeline.addFault({ operation: 'debug_token', times: 1, effect: { type: 'error', status: 503, code: 2, isTransient: true } });
    const response = await pipeline.postOnboarding(JSON.stringify({ accessToken: await pipeline.login([PROD]) }));
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ status: 'VERIFYING', apps: [], statusUrl: `/api/onboardings/${response.body.onboardingId}` });
    // PROD's live solution is an earlier onboarding's: once checked, this one reports it.
    await pipeline.settled(response.body.onboardingId, ['EXISTING']);
  }, 60_000);

  test('serves the onboarding page and its runtime config on the same origin as the API', async () => {
    const page = await fetch(`${runtime.endpoints.http}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Launch Solution Creation');
    const config = await fetch(`${runtime.endpoints.http}/config.json`).then((r) => r.json());
    expect(config).toEqual({ appId: PARTNER_APP_ID, sdkUrl: `${runtime.endpoints.graph}/sdk.js`, graphApiVersion: expect.stringMatching(/^v\d+\.\d+$/), apiBase: '/api' });
  });

  test('stops cleanly on SIGTERM, DynamoDB Local and every endpoint with it', async () => {
    const { endpoints } = runtime;
    expect(await runtime.stop()).toBe(0);
    for (const url of [endpoints.dynamodb, endpoints.sqs, endpoints.secretsManager, endpoints.graph, endpoints.http]) {
      await expect(fetch(url)).rejects.toThrow();
    }
  });
});
