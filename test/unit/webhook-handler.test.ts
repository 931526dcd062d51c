import { createHmac } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { lambdaContext } from '../../local/runtime/lambda-context';

/**
 * The webhook handler as API Gateway invokes it (payload 2.0), its AWS clients mocked: what it
 * answers, and what it asks of the table, for each kind of call Meta (or anyone else) makes.
 */
const APP_SECRET = 'handler-test-app-secret';
const VERIFY_TOKEN = 'handler-test-verify-token';
Object.assign(process.env, { TABLE_NAME: 'mps-test', APP_SECRET_ID: 'app-secret', WEBHOOK_VERIFY_TOKEN_SECRET_ID: 'verify-token', PARTNER_APP_ID: '1000000000000001', BUSINESS_ID: '2949482758682047', AWS_REGION: 'us-east-1' });

const secrets = mockClient(SecretsManagerClient);
secrets.on(GetSecretValueCommand, { SecretId: 'app-secret' }).resolves({ SecretString: APP_SECRET });
secrets.on(GetSecretValueCommand, { SecretId: 'verify-token' }).resolves({ SecretString: VERIFY_TOKEN });
const db = mockClient(DynamoDBDocumentClient);
const { handler } = await import('../../lambdas/handlers/webhook');

const ACCEPTED_RECORD = { onboardingId: 'ob-1', appId: '111', solutionId: '42', status: 'ACCEPTED', attempts: 1, createdAt: 't', updatedAt: 't' };

function event(method: 'GET' | 'POST', opts: { query?: Record<string, string>; body?: string; headers?: Record<string, string>; base64?: boolean } = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/api/webhooks/meta',
    rawQueryString: new URLSearchParams(opts.query).toString(),
    headers: { 'content-type': 'application/json', ...opts.headers },
    queryStringParameters: opts.query,
    requestContext: { http: { method, path: '/api/webhooks/meta' } } as APIGatewayProxyEventV2['requestContext'],
    body: opts.body === undefined ? undefined : opts.base64 ? Buffer.from(opts.body).toString('base64') : opts.body,
    isBase64Encoded: opts.base64 ?? false,
  };
}
const invoke = (e: APIGatewayProxyEventV2) => handler(e, lambdaContext('webhook', 10, 256)) as Promise<APIGatewayProxyStructuredResultV2>;
const sign = (body: string, secret = APP_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const delivery = (status: string) =>
  JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', time: 1764316800, changes: [{ field: 'partner_solutions', value: { event: 'SOLUTION_UPDATED', solution_id: '42', solution_status: status } }] }] });

beforeEach(() => {
  db.reset();
  db.on(QueryCommand).resolves({ Items: [ACCEPTED_RECORD] });
  db.on(UpdateCommand).resolves({});
  db.on(GetCommand).resolves({ Item: ACCEPTED_RECORD });
});

describe('webhook handler: the subscription handshake', () => {
  const handshake = (query: Record<string, string>) => invoke(event('GET', { query: { 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1158201444', ...query } }));

  test('our verify token gets the challenge back as plain text', async () => {
    await expect(handshake({})).resolves.toMatchObject({ statusCode: 200, body: '1158201444', headers: { 'content-type': 'text/plain; charset=utf-8' } });
  });

  test.each<Record<string, string>>([{ 'hub.verify_token': 'guessed' }, { 'hub.mode': 'unsubscribe' }])('%j is refused with 403, the challenge not echoed', async (query) => {
    const answer = await handshake(query);
    expect(answer.statusCode).toBe(403);
    expect(answer.body).not.toContain('1158201444');
  });
});

describe('webhook handler: deliveries', () => {
  test('a signed delivery moves the solution’s records, found through the bySolutionId index; a base64 body is verified on its bytes', async () => {
    const body = delivery('DEACTIVATED');
    const answer = await invoke(event('POST', { body, base64: true, headers: { 'x-hub-signature-256': sign(body) } }));
    expect(answer).toMatchObject({ statusCode: 200 });
    expect(JSON.parse(answer.body!)).toEqual({ received: 1, ignored: 0 });
    expect(db.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({ IndexName: 'bySolutionId', ExpressionAttributeValues: { ':solutionId': '42' } });
    const update = db.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update).toMatchObject({ Key: { pk: 'ONBOARDING#ob-1', sk: 'SOLUTION#111' } });
    expect(Object.values(update?.ExpressionAttributeValues ?? {})).toEqual(expect.arrayContaining(['DEACTIVATED', '2025-11-28T08:00:00.000Z']));
  });

  test.each([
    ['no signature', undefined],
    ['another app’s secret', sign(delivery('DEACTIVATED'), 'another-secret')],
    ['a signature of another body', sign(delivery('REJECTED'))],
  ])('%s: 401, and the table is not touched', async (_, signature) => {
    const answer = await invoke(event('POST', { body: delivery('DEACTIVATED'), headers: signature ? { 'x-hub-signature-256': signature } : {} }));
    expect(answer.statusCode).toBe(401);
    expect(JSON.parse(answer.body!)).toMatchObject({ error: { code: 'INVALID_SIGNATURE' } });
    expect(db.calls()).toHaveLength(0);
  });

  test('a signed body that is no envelope is a 400; one of fields we do not use a 200; neither touches the table', async () => {
    const junk = 'not json';
    expect((await invoke(event('POST', { body: junk, headers: { 'x-hub-signature-256': sign(junk) } }))).statusCode).toBe(400);
    const unused = JSON.stringify({ object: 'page', entry: [{ changes: [{ field: 'feed', value: {} }] }] });
    expect(await invoke(event('POST', { body: unused, headers: { 'x-hub-signature-256': sign(unused) } }))).toMatchObject({ statusCode: 200 });
    expect(db.calls()).toHaveLength(0);
  });

  const signed = (body: string) => invoke(event('POST', { body, headers: { 'x-hub-signature-256': sign(body) } }));
  const partnerSolutions = { field: 'partner_solutions', value: { event: 'SOLUTION_UPDATED', solution_id: '42', solution_status: 'PENDING_DEACTIVATION' } };

  test('a signed delivery about another object is taken (200) and applies nothing, even with a field named like ours', async () => {
    const body = JSON.stringify({ object: 'page', entry: [{ id: '1', time: 1764316800, changes: [partnerSolutions] }] });
    const answer = await signed(body);
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body!)).toEqual({ received: 0, ignored: 1 });
    expect(db.calls()).toHaveLength(0);
  });

  test.each(['{}', '{"hello":"world"}', '[]', '{"object":"whatsapp_business_account"}'])('a signed %s is no envelope: 400 MALFORMED_PAYLOAD, the table not touched', async (body) => {
    const answer = await signed(body);
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body!)).toMatchObject({ error: { code: 'MALFORMED_PAYLOAD' } });
    expect(db.calls()).toHaveLength(0);
  });

  test('an entry time no date can hold (1e13 s) is news of its arrival: the delivery is taken and every entry applied', async () => {
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        { id: '1', time: 1e13, changes: [partnerSolutions] },
        { id: '1', time: 1764316800, changes: [{ ...partnerSolutions, value: { ...partnerSolutions.value, solution_id: '43' } }] },
      ],
    });
    const before = Date.now();
    const answer = await signed(body);
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body!)).toEqual({ received: 2, ignored: 0 });
    const solutionsAsked = db.commandCalls(QueryCommand).map((call) => call.args[0].input.ExpressionAttributeValues?.[':solutionId']);
    expect(solutionsAsked).toEqual(['42', '43']);
    const lifecycleAt = db.commandCalls(UpdateCommand).flatMap((call) => Object.values(call.args[0].input.ExpressionAttributeValues ?? {})).filter((v): v is string => typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v));
    // The first entry's news is dated at its arrival, whole seconds (never an invalid date).
    expect(lifecycleAt.some((v) => Date.parse(v) >= Math.floor(before / 1000) * 1000 && Date.parse(v) <= Date.now())).toBe(true);
  });

  test('a delivery of more changes than webhookMaxChanges (20,000 entries) is refused 413 PAYLOAD_TOO_LARGE before anything is written', async () => {
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: Array.from({ length: 20_000 }, (_, i) => ({ id: String(i), time: 1764316800, changes: [partnerSolutions] })) });
    const answer = await signed(body);
    expect(answer.statusCode).toBe(413);
    expect(JSON.parse(answer.body!)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(db.calls()).toHaveLength(0);
  });

  test('news of a solution no record holds is taken (200) and writes nothing', async () => {
    db.on(QueryCommand).resolves({ Items: [] });
    const body = delivery('DEACTIVATED');
    expect(await invoke(event('POST', { body, headers: { 'x-hub-signature-256': sign(body) } }))).toMatchObject({ statusCode: 200 });
    expect(db.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  test('a table that fails answers 500, so that Meta delivers it again', async () => {
    db.on(QueryCommand).rejects(new Error('DynamoDB unavailable'));
    const body = delivery('DEACTIVATED');
    const answer = await invoke(event('POST', { body, headers: { 'x-hub-signature-256': sign(body) } }));
    expect(answer.statusCode).toBe(500);
    expect(answer.body).not.toContain('DynamoDB');
  });
});
