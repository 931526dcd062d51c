import { readFileSync } from 'node:fs';
import { startGraphSimulator, type GraphSimulator } from '../../local/graph-simulator/server';
import { hubSignature } from '../../local/graph-simulator/webhook-envelope';
import { startWebhookReceiver, verifies, type WebhookReceiver } from './webhook-receiver';

/**
 * The simulator's webhooks held to docs/graph-api.md § After acceptance → Webhooks and to Meta's examples
 * in graph-examples.json, over raw HTTP: what a
 * callback receives, byte for byte.
 */

interface WebhookExample {
  name: string;
  request: { method: string; headers?: Record<string, string>; query?: Record<string, string>; raw_body?: string };
  answer?: { status: number; content_type: string; body: string };
  signing_secret?: string;
}
const EXAMPLES: WebhookExample[] = JSON.parse(readFileSync(new URL('./graph-examples.json', import.meta.url), 'utf8')).examples;
const example = (name: string): WebhookExample => {
  const found = EXAMPLES.find((e) => e.name === name);
  if (!found) throw new Error(`no example named ${name}`);
  return found;
};
const DELIVERY = example('partner_solutions webhook delivery');
const HANDSHAKE = example('webhook subscription handshake');
const RAW_BODY = DELIVERY.request.raw_body!;
const SECRET = DELIVERY.signing_secret!;

let sim: GraphSimulator;
let receiver: WebhookReceiver;
const VERIFY_TOKEN = 'contract-verify-token';

beforeAll(async () => {
  // Signed with the example's secret, so that the example's header is the expected one.
  sim = await startGraphSimulator({ seed: { appSecret: SECRET, webhookVerifyToken: VERIFY_TOKEN } });
  receiver = await startWebhookReceiver({ verifyToken: VERIFY_TOKEN, appSecret: SECRET });
});
afterAll(async () => {
  await sim.stop();
  await receiver.stop();
});
beforeEach(() => {
  sim.state.reset();
  receiver.received.length = 0;
});

const control = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${sim.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
};

describe('docs/graph-api.md § After acceptance → Webhooks', () => {
  test('example "partner_solutions webhook delivery": sha256= and the hex HMAC-SHA256 of the raw body, keyed with the signing secret', () => {
    expect(hubSignature(RAW_BODY, SECRET)).toBe(DELIVERY.request.headers!['x-hub-signature-256']);
    expect(hubSignature(RAW_BODY, `${SECRET}x`)).not.toBe(DELIVERY.request.headers!['x-hub-signature-256']);
  });

  test('example "webhook subscription handshake": GET with exactly hub.mode, hub.verify_token and a numeric hub.challenge; answered 200 with the challenge, the callback is subscribed', async () => {
    expect((await control('PUT', '/__sim/webhooks', { callbackUrl: receiver.url })).status).toBe(200);

    const [handshake] = receiver.received;
    expect(handshake).toMatchObject({ method: HANDSHAKE.request.method });
    const query = Object.fromEntries(handshake!.url.searchParams);
    expect(Object.keys(query).sort()).toEqual(Object.keys(HANDSHAKE.request.query!).sort());
    expect(query).toEqual({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': expect.stringMatching(/^\d+$/) });
    expect((await control('GET', '/__sim/webhooks')).body.subscription).toEqual({ callbackUrl: receiver.url });
  });

  test('example "partner_solutions webhook delivery", byte for byte: the same change is POSTed as exactly the example’s body and signature header', async () => {
    await control('PUT', '/__sim/webhooks', { callbackUrl: receiver.url });
    const { value } = JSON.parse(RAW_BODY).entry[0].changes[0];
    const { time } = JSON.parse(RAW_BODY).entry[0];
    // The example's entry id is the seed Tech Provider's business portfolio; its solution ID is no
    // solution of the simulator's, for which that Tech Provider's portfolio stands in.
    const sent = await control('POST', '/__sim/webhooks/send', { solutionId: value.solution_id, status: value.solution_status, event: value.event, time });
    expect(sent.body).toMatchObject({ outcome: 'delivered', lastHttpStatus: 200, rawBody: RAW_BODY });

    const [post] = receiver.posts();
    expect(post!.method).toBe(DELIVERY.request.method);
    expect(post!.rawBody.toString('utf8')).toBe(RAW_BODY);
    expect(post!.headers['content-type']).toBe(DELIVERY.request.headers!['content-type']);
    expect(post!.headers['x-hub-signature-256']).toBe(DELIVERY.request.headers!['x-hub-signature-256']);
  });

  test('a solution’s change is the documented envelope: object, entry[{id, time, changes[{field partner_solutions, value {event, solution_id, solution_status}}]}]', async () => {
    await control('PUT', '/__sim/webhooks', { callbackUrl: receiver.url });
    const token = sim.state.issueUserToken({ appIds: ['634974688087057'] }).token;
    const created = await fetch(`${sim.url}/v25.0/634974688087057/whatsapp_business_solution`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ owner_permissions: [], partner_app_id: sim.state.partnerApp.id, partner_permissions: ['MESSAGING'], solution_name: 'contract' }),
    }).then((r) => r.json() as Promise<{ solution_id: string }>);
    await sim.state.webhooks.idle();

    const [post] = receiver.posts();
    expect(verifies(post!.rawBody, post!.headers['x-hub-signature-256'], SECRET)).toBe(true);
    const body = JSON.parse(post!.rawBody.toString('utf8'));
    expect(body).toEqual({
      object: 'whatsapp_business_account',
      entry: [{ id: '102290129340398', time: expect.any(Number), changes: [{ field: 'partner_solutions', value: { event: 'SOLUTION_CREATED', solution_id: created.solution_id, solution_status: 'INITIATED' } }] }],
    });
    expect(Math.abs(body.entry[0].time - Date.now() / 1000)).toBeLessThan(60);
  });
});
