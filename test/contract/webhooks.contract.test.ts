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
  /** An example given as the parsed body rather than raw bytes (account_update). */
  body?: unknown;
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

describe('docs/graph-api.md § Clients onboarded through a solution → account_update', () => {
  const ACCOUNT_UPDATE = example('account_update: a client onboarded through a solution');
  const exampleValue = (ACCOUNT_UPDATE.body as any).entry[0].changes[0].value;
  const shapeOf = (value: unknown): unknown =>
    Array.isArray(value) ? (value.length === 0 ? [] : [shapeOf(value[0])]) : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)])) : typeof value;
  const TP_BUSINESS = exampleValue.waba_info.solution_partner_business_ids[1];

  /** The example's client, onboarded through an ACTIVE solution of a Tech Provider whose portfolio is the example's. */
  async function onboardExampleClient(events: 'added' | 'installed') {
    await control('PUT', '/__sim/webhooks', { callbackUrl: receiver.url });
    const app = { id: '777000000000001', name: 'monsoon_shop_app' };
    sim.state.addTechProvider({ userId: '2000000000000009', name: 'Monsoon Shop', businessId: TP_BUSINESS, apps: [app] });
    const solution = sim.state.createSolution(app, { name: 'shop', ownerPermissions: [], partnerPermissions: ['MESSAGING'] });
    sim.state.acceptInvitation(solution.id, sim.state.partnerApp.id);
    await sim.state.webhooks.idle();
    receiver.received.length = 0;
    const { waba_id: wabaId, owner_business_id: businessId } = exampleValue.waba_info;
    sim.state.onboardClient(solution.id, { wabaId, businessId, events, repeat: false });
    await sim.state.webhooks.idle();
    return solution.id;
  }
  const bodies = () => receiver.posts().map((p) => JSON.parse(p.rawBody.toString('utf8')));

  test('example "account_update: a client onboarded through a solution": PARTNER_ADDED to our business, signed, waba_info as the example', async () => {
    const solutionId = await onboardExampleClient('added');
    const [post] = receiver.posts();
    expect(verifies(post!.rawBody, post!.headers['x-hub-signature-256'], SECRET)).toBe(true);
    const [body] = bodies();
    expect(shapeOf(body)).toEqual(shapeOf(ACCOUNT_UPDATE.body));
    expect(body.entry[0].id).toBe((ACCOUNT_UPDATE.body as any).entry[0].id);
    expect(body.entry[0].changes[0].value).toEqual({ ...exampleValue, waba_info: { ...exampleValue.waba_info, solution_id: solutionId } });
  });

  test('the example’s note: PARTNER_APP_INSTALLED has the same waba_info plus partner_app_id; PARTNER_APP_UNINSTALLED waba_id, owner_business_id, partner_app_id; PARTNER_REMOVED waba_id, owner_business_id', async () => {
    const solutionId = await onboardExampleClient('installed');
    const { waba_id: wabaId, owner_business_id: ownerBusinessId } = exampleValue.waba_info;
    sim.state.uninstallApp(wabaId);
    sim.state.removeClient(wabaId);
    await sim.state.webhooks.idle();
    const partnerAppId = sim.state.partnerApp.id;
    expect(bodies().map((b) => b.entry[0].changes[0])).toEqual([
      { field: 'account_update', value: { event: 'PARTNER_APP_INSTALLED', waba_info: { ...exampleValue.waba_info, partner_app_id: partnerAppId, solution_id: solutionId } } },
      { field: 'account_update', value: { event: 'PARTNER_APP_UNINSTALLED', waba_info: { waba_id: wabaId, owner_business_id: ownerBusinessId, partner_app_id: partnerAppId } } },
      { field: 'account_update', value: { event: 'PARTNER_REMOVED', waba_info: { waba_id: wabaId, owner_business_id: ownerBusinessId } } },
    ]);
  });
});
