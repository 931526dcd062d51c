import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimRequest, SimSolution } from '../../local/graph-simulator/state';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process';

/**
 * The whole pipeline in the local runtime, on DynamoDB Local, fauxqs and the Graph simulator:
 * the program `npm start` runs, driven over HTTP as the onboarding page drives it.
 */
let runtime: RuntimeProcess;
let db: DynamoDBDocumentClient;
let sqs: SQSClient;

const PARTNER_APP_ID = '1000000000000001';
const SYSTEM_USER_TOKEN = 'integration-system-user-token';
const [PROD, STAGING] = ['634974688087057', '634974688087058'];

beforeAll(async () => {
  runtime = await startRuntimeProcess({ SYSTEM_USER_TOKEN, APP_SECRET: 'integration-app-secret' });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: runtime.endpoints.dynamodb, region: runtime.endpoints.region, credentials }));
  sqs = new SQSClient({ endpoint: runtime.endpoints.sqs, region: runtime.endpoints.region, credentials, useQueueUrlAsEndpoint: false });
}, 90_000);

afterAll(async () => {
  db?.destroy();
  sqs?.destroy();
  await runtime?.stop();
});

async function graph<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${runtime.endpoints.graph}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as T;
}

/** What the Facebook dialog gives the page: a user token for the selected apps. */
const login = async (appIds: string[]) => (await graph<{ accessToken: string }>('/__sim/tokens', { appIds })).accessToken;

async function postOnboarding(body: string, contentType = 'application/json') {
  const response = await fetch(`${runtime.endpoints.http}/api/onboardings`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function solutionItems(onboardingId: string) {
  const { Items = [] } = await db.send(
    new QueryCommand({
      TableName: runtime.endpoints.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :solution)',
      ExpressionAttributeValues: { ':pk': `ONBOARDING#${onboardingId}`, ':solution': 'SOLUTION#' },
      ConsistentRead: true,
    }),
  );
  return Items;
}

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}\n--- runtime output ---\n${runtime.output().slice(-5000)}`);
}

const tableItemCount = async () => (await db.send(new ScanCommand({ TableName: runtime.endpoints.tableName, Select: 'COUNT' }))).Count ?? 0;
const messagesInCreateQueue = async () => {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: runtime.endpoints.queues.createSolution, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
};

describe('local pipeline, end to end', () => {
  test('a Tech Provider with two selected apps ends with two solutions created with its token and accepted with the system-user token', async () => {
    const token = await login([PROD, STAGING]);

    const started = await postOnboarding(JSON.stringify({ accessToken: token, userID: 'ignored', expiresIn: 5183944 }));
    expect(started.status).toBe(202);
    expect(started.body).toEqual({
      onboardingId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      statusUrl: `/api/onboardings/${started.body.onboardingId}`,
      apps: [
        { appId: PROD, name: 'media_monsoon_prod' },
        { appId: STAGING, name: 'media_monsoon_staging' },
      ],
    });
    const { onboardingId } = started.body;

    const accepted = await waitUntil('both solutions ACCEPTED in DynamoDB Local', async () => {
      const items = await solutionItems(onboardingId);
      return items.length === 2 && items.every((i) => i.status === 'ACCEPTED') ? items : undefined;
    });

    const requests = await graph<SimRequest[]>('/__sim/requests');
    const solutions = await graph<SimSolution[]>('/__sim/solutions');
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
    const again = await postOnboarding(JSON.stringify({ accessToken: token }));
    expect(again).toEqual({ status: 200, body: started.body });
    await sleep(500);
    const creates = (await graph<SimRequest[]>('/__sim/requests')).filter((r) => r.path.endsWith('/whatsapp_business_solution'));
    expect(creates).toHaveLength(2);

    // Correlation: every function logged the onboarding id, and no log line holds a token.
    const logs = runtime.output();
    for (const fn of ['intake', 'createSolution', 'acceptSolution']) {
      expect(logs).toMatch(new RegExp(`"function_name":"${fn}"[^\\n]*"onboardingId":"${onboardingId}"`));
    }
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(SYSTEM_USER_TOKEN);
  }, 60_000);

  describe('bad input is answered with a clear error, and nothing is written or enqueued', () => {
    let itemsBefore: number;
    beforeAll(async () => {
      itemsBefore = await tableItemCount();
    });
    afterAll(async () => {
      expect(await tableItemCount()).toBe(itemsBefore);
      expect(await messagesInCreateQueue()).toBe(0);
    });

    test.each([
      ['malformed JSON', '{"accessToken":', 'application/json', 400, 'MALFORMED_JSON'],
      ['a missing token', '{"userID":"1"}', 'application/json', 400, 'MISSING_TOKEN'],
      ['a blank token', '{"accessToken":"  "}', 'application/json', 400, 'MISSING_TOKEN'],
      ['a body that is not JSON', 'accessToken=x', 'application/x-www-form-urlencoded', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['a token Graph does not know', '{"accessToken":"EAAnot-a-real-token"}', 'application/json', 401, 'INVALID_TOKEN'],
    ])('%s', async (_, body, contentType, status, code) => {
      const response = await postOnboarding(body, contentType);
      expect(response).toEqual({ status, body: { error: { code, message: expect.any(String) } } });
      expect(response.body.error.message).not.toContain('EAAnot-a-real-token');
    });

    test('a Tech Provider who selected no app', async () => {
      const token = await login([]);
      const response = await postOnboarding(JSON.stringify({ accessToken: token }));
      expect(response).toEqual({ status: 422, body: { error: { code: 'NO_APP_SELECTED', message: expect.stringMatching(/select at least one app/) } } });
    });

    test('an unknown onboarding id', async () => {
      const response = await fetch(`${runtime.endpoints.http}/api/onboardings/5b0d8f0e-3f4c-4b7e-9a51-2f0c3e7d9a11`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: { code: 'ONBOARDING_NOT_FOUND', message: expect.any(String) } });
    });
  });

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
