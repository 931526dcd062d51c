import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startGraphSimulator } from '../../local/graph-simulator/server';
import { verifies, type ReceivedRequest } from '../contract/webhook-receiver';
import { simulatorWithReceiver } from '../support/simulator-with-receiver';

/**
 * The Graph simulator's `partner_solutions` webhooks, as a callback sees them: the subscription
 * handshake, signed deliveries for each change of a solution (by Graph calls and by the controls),
 * retries, order, and the deliveries that misbehave on purpose.
 */

const APP = '634974688087057';
const BUSINESS = '102290129340398';
const APP_SECRET = 'webhook-test-app-secret';
const VERIFY_TOKEN = 'webhook-test-verify-token';

const env = simulatorWithReceiver({ appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN });

async function http(method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`${env.sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}
const subscribe = (body: unknown = { callbackUrl: env.receiver.url, verifyToken: VERIFY_TOKEN }) => http('PUT', '/__sim/webhooks', { body });
const systemUser = () => env.sim.state.seed.systemUserToken;
const owner = () => env.sim.state.issueUserToken({ appIds: [APP] }).token;

async function create(name = 'n'): Promise<string> {
  const answer = await http('POST', `/v25.0/${APP}/whatsapp_business_solution`, {
    token: owner(),
    body: { owner_permissions: [], partner_app_id: env.sim.state.partnerApp.id, partner_permissions: ['MESSAGING'], solution_name: name },
  });
  expect(answer.status).toBe(200);
  return answer.body.solution_id;
}
const graphCall = (id: string, edge: string, token = systemUser()) => http('POST', `/v25.0/${id}/${edge}`, { token, body: edge === 'accept' ? { partner_app_id: env.sim.state.partnerApp.id } : {} });
async function active(): Promise<string> {
  const id = await create();
  expect((await graphCall(id, 'accept')).status).toBe(200);
  return id;
}

const change = (post: ReceivedRequest) => JSON.parse(post.rawBody.toString('utf8')).entry[0].changes[0].value as { event: string; solution_id: string; solution_status: string };
/** What the callback received, as `EVENT STATUS` per delivery, once nothing is pending. */
async function received(): Promise<string[]> {
  await env.sim.state.webhooks.idle();
  return env.receiver.posts().map((p) => `${change(p).event} ${change(p).solution_status}`);
}

describe('the subscription handshake', () => {
  test('a callback that answers 200 with the challenge is subscribed; the verify token is never shown', async () => {
    const answer = await subscribe();
    expect(answer).toEqual({ status: 200, body: { callbackUrl: env.receiver.url } });
    const [handshake] = env.receiver.received;
    expect(handshake!.method).toBe('GET');
    expect(handshake!.url.pathname).toBe('/webhooks/meta');
    expect(handshake!.url.searchParams.get('hub.verify_token')).toBe(VERIFY_TOKEN);

    const shown = await http('GET', '/__sim/webhooks');
    expect(shown.body).toEqual({ subscription: { callbackUrl: env.receiver.url }, deliveries: [] });
    expect(JSON.stringify(shown.body)).not.toContain(VERIFY_TOKEN);
  });

  test('without a verify token, the seed’s is presented', async () => {
    expect((await subscribe({ callbackUrl: env.receiver.url })).status).toBe(200);
    expect(env.receiver.received[0]!.url.searchParams.get('hub.verify_token')).toBe(VERIFY_TOKEN);
  });

  test('a refused handshake (the callback’s 403) is a 502 naming the status, and nothing is subscribed', async () => {
    const answer = await subscribe({ callbackUrl: env.receiver.url, verifyToken: 'not-the-callbacks-token' });
    expect(answer.status).toBe(502);
    expect(answer.body.error.message).toContain('HTTP 403');
    expect(env.sim.state.webhooks.subscription).toBeNull();
    await create();
    expect(await received()).toEqual([]);
    expect(env.sim.state.webhooks.deliveries).toEqual([expect.objectContaining({ outcome: 'skipped', attempts: 0 })]);
  });

  test('a 200 without exactly the challenge is refused too, and the earlier subscription stays', async () => {
    await subscribe();
    env.receiver.handshake = (query) => ({ status: 200, body: `${query.get('hub.challenge')}\n` });
    await expect(env.sim.state.webhooks.subscribe(`${env.receiver.url}?other=1`, VERIFY_TOKEN)).rejects.toThrow(/HTTP 200 without the challenge/);
    expect(env.sim.state.webhooks.subscription).toEqual({ callbackUrl: env.receiver.url });
  });

  test('a callback that is no http(s) URL, or none, is a 400', async () => {
    expect((await subscribe({ callbackUrl: 'ftp://example.com/hook' })).status).toBe(400);
    expect((await subscribe({ verifyToken: VERIFY_TOKEN })).status).toBe(400);
  });

  test('unsubscribed, nothing more is sent; reset drops the subscription and the log', async () => {
    await subscribe();
    await create();
    expect(await received()).toEqual(['SOLUTION_CREATED INITIATED']);
    expect((await http('DELETE', '/__sim/webhooks')).status).toBe(204);
    await create();
    expect(await received()).toHaveLength(1);

    await subscribe();
    expect((await http('POST', '/__sim/reset')).status).toBe(204);
    expect((await http('GET', '/__sim/webhooks')).body).toEqual({ subscription: null, deliveries: [] });
    await create();
    expect(await received()).toHaveLength(1);
  });
});

describe('deliveries for each change of a solution', () => {
  beforeEach(async () => {
    expect((await subscribe()).status).toBe(200);
  });

  test('create → SOLUTION_CREATED INITIATED, accept → SOLUTION_UPDATED ACTIVE: signed with the app secret over the raw bytes, entry id the owner’s portfolio', async () => {
    const id = await active();
    expect(await received()).toEqual(['SOLUTION_CREATED INITIATED', 'SOLUTION_UPDATED ACTIVE']);
    for (const post of env.receiver.posts()) {
      expect(post.headers['content-type']).toBe('application/json');
      expect(verifies(post.rawBody, post.headers['x-hub-signature-256'], APP_SECRET)).toBe(true);
      expect(verifies(post.rawBody, post.headers['x-hub-signature-256'], 'another-secret')).toBe(false);
      const body = JSON.parse(post.rawBody.toString('utf8'));
      expect(body.entry[0].id).toBe(BUSINESS);
      expect(change(post).solution_id).toBe(id);
    }
    expect(env.sim.state.webhooks.deliveries).toEqual([
      expect.objectContaining({ index: 0, origin: 'change', solutionId: id, event: 'SOLUTION_CREATED', status: 'INITIATED', signature: 'good', attempts: 1, lastHttpStatus: 200, outcome: 'delivered' }),
      expect.objectContaining({ index: 1, origin: 'change', solutionId: id, event: 'SOLUTION_UPDATED', status: 'ACTIVE', outcome: 'delivered' }),
    ]);
    expect(env.sim.state.webhooks.deliveries[0]!.rawBody).toBe(env.receiver.posts()[0]!.rawBody.toString('utf8'));
  });

  test('a Graph answer does not wait for its delivery', async () => {
    let release!: () => void;
    env.receiver.hold = new Promise<void>((resolve) => (release = resolve));
    await create();
    expect(env.sim.state.webhooks.deliveries).toEqual([expect.objectContaining({ outcome: 'pending' })]);
    release();
    expect(await received()).toEqual(['SOLUTION_CREATED INITIATED']);
    expect(env.sim.state.webhooks.deliveries[0]!.outcome).toBe('delivered');
  });

  test('Graph reject → REJECTED; a refused call sends nothing', async () => {
    const id = await create();
    expect((await graphCall(id, 'reject')).status).toBe(200);
    expect((await graphCall(id, 'accept')).status).toBe(422);
    expect(await received()).toEqual(['SOLUTION_CREATED INITIATED', 'SOLUTION_UPDATED REJECTED']);
  });

  test('Graph send_deactivation_request → PENDING_DEACTIVATION, then accept_deactivation_request → DEACTIVATED', async () => {
    const id = await active();
    const ownerToken = owner();
    expect((await graphCall(id, 'send_deactivation_request', ownerToken)).status).toBe(200);
    expect((await graphCall(id, 'accept_deactivation_request')).status).toBe(200);
    expect((await received()).slice(2)).toEqual(['SOLUTION_UPDATED PENDING_DEACTIVATION', 'SOLUTION_UPDATED DEACTIVATED']);
  });

  test('Graph reject_deactivation_request → back to ACTIVE', async () => {
    const id = await active();
    expect((await graphCall(id, 'send_deactivation_request', owner())).status).toBe(200);
    expect((await graphCall(id, 'reject_deactivation_request')).status).toBe(200);
    expect((await received()).slice(2)).toEqual(['SOLUTION_UPDATED PENDING_DEACTIVATION', 'SOLUTION_UPDATED ACTIVE']);
  });

  test('a solution a test makes in the state (createSolution with `made`) is simply there: no webhook', async () => {
    env.sim.state.createSolution({ id: APP, name: 'media_monsoon_prod' }, { name: 'made', ownerPermissions: [], partnerPermissions: ['MESSAGING'] }, { status: 'ACTIVE', statusForPendingRequest: 'NONE' });
    expect(await received()).toEqual([]);
  });
});

describe('controls that change a solution as Meta or the Tech Provider would', () => {
  beforeEach(async () => {
    expect((await subscribe()).status).toBe(200);
  });

  test('reject: an INITIATED solution and our partner entry become REJECTED; not once accepted (409); unknown id 404', async () => {
    const id = await create();
    const rejected = await http('POST', `/__sim/solutions/${id}/reject`);
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ id, status: 'REJECTED', statusForPendingRequest: 'NONE', partners: [{ status: 'REJECTED' }] });
    expect(await received()).toEqual(['SOLUTION_CREATED INITIATED', 'SOLUTION_UPDATED REJECTED']);

    const accepted = await active();
    expect((await http('POST', `/__sim/solutions/${accepted}/reject`)).status).toBe(409);
    expect((await http('POST', '/__sim/solutions/999/reject')).status).toBe(404);
    expect(env.sim.state.solutions.get(accepted)!.status).toBe('ACTIVE');
  });

  test('request-deactivation: only while ACTIVE with no pending request; then deactivate → DEACTIVATED, pending NONE', async () => {
    const id = await active();
    expect((await http('POST', `/__sim/solutions/${id}/request-deactivation`)).body).toMatchObject({ status: 'ACTIVE', statusForPendingRequest: 'PENDING_DEACTIVATION' });
    expect((await http('POST', `/__sim/solutions/${id}/request-deactivation`)).status).toBe(409);
    expect((await http('POST', `/__sim/solutions/${id}/deactivate`)).body).toMatchObject({ status: 'DEACTIVATED', statusForPendingRequest: 'NONE' });
    expect((await received()).slice(2)).toEqual(['SOLUTION_UPDATED PENDING_DEACTIVATION', 'SOLUTION_UPDATED DEACTIVATED']);
  });

  test('deactivate: an ACTIVE solution outright; an INITIATED one cannot be (409), and nothing is sent for a refusal', async () => {
    const initiated = await create();
    expect((await http('POST', `/__sim/solutions/${initiated}/deactivate`)).status).toBe(409);
    const id = await active();
    expect(env.sim.state.deactivateSolution(id)).toEqual({ solution: expect.objectContaining({ status: 'DEACTIVATED' }) });
    expect(await received()).toEqual(['SOLUTION_CREATED INITIATED', 'SOLUTION_CREATED INITIATED', 'SOLUTION_UPDATED ACTIVE', 'SOLUTION_UPDATED DEACTIVATED']);
  });
});

describe('delivery as Meta retries it', () => {
  beforeEach(async () => {
    expect((await subscribe()).status).toBe(200);
  });

  test('a 500 is retried after a backoff, with the same bytes, until the callback takes it', async () => {
    env.receiver.answers = [500];
    const started = Date.now();
    await create();
    expect(await received()).toEqual(['SOLUTION_CREATED INITIATED', 'SOLUTION_CREATED INITIATED']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    const [first, second] = env.receiver.posts();
    expect(second!.rawBody.equals(first!.rawBody)).toBe(true);
    expect(second!.headers['x-hub-signature-256']).toBe(first!.headers['x-hub-signature-256']);
    expect(env.sim.state.webhooks.deliveries).toEqual([expect.objectContaining({ attempts: 2, lastHttpStatus: 200, outcome: 'delivered' })]);
  });

  test('a connection closed without an answer is retried too', async () => {
    env.receiver.answers = ['drop'];
    await create();
    await env.sim.state.webhooks.idle();
    expect(env.sim.state.webhooks.deliveries).toEqual([expect.objectContaining({ attempts: 2, lastHttpStatus: 200, outcome: 'delivered' })]);
  });

  test('deliveries go out one at a time, in order: a later change waits for the earlier one’s retry', async () => {
    env.receiver.answers = [503];
    await active();
    expect(await received()).toEqual(['SOLUTION_CREATED INITIATED', 'SOLUTION_CREATED INITIATED', 'SOLUTION_UPDATED ACTIVE']);
  });

  test('stopping the server with a retry pending resolves at once and cancels it', async () => {
    const other = await startGraphSimulator({ seed: { appSecret: APP_SECRET, webhookVerifyToken: VERIFY_TOKEN } });
    await other.state.webhooks.subscribe(env.receiver.url);
    env.receiver.answers = [500, 500, 500, 500, 500, 500];
    other.state.announceSolution(other.state.createSolution({ id: APP, name: 'app' }, { name: 'n', ownerPermissions: [], partnerPermissions: ['MESSAGING'] }), 'SOLUTION_CREATED');
    // The first attempt's 500 is in: a retry is waiting.
    while (other.state.webhooks.deliveries[0]?.lastHttpStatus !== 500) await new Promise((resolve) => setTimeout(resolve, 10));

    const started = Date.now();
    await other.stop();
    await other.state.webhooks.idle();
    // Without the cancel, the five retries would keep it busy for 15 s.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(other.state.webhooks.deliveries).toEqual([expect.objectContaining({ attempts: 1, lastHttpStatus: 500, outcome: 'failed', lastError: expect.stringMatching(/cancelled/) })]);
    expect(other.state.webhooks.subscription).toBeNull();
  });
});

describe('deliveries that misbehave on purpose', () => {
  beforeEach(async () => {
    expect((await subscribe()).status).toBe(200);
  });

  test('resend repeats the last delivery’s exact bytes and signature: a duplicate', async () => {
    await create();
    await env.sim.state.webhooks.idle();
    const resent = await http('POST', '/__sim/webhooks/resend', { body: {} });
    expect(resent).toMatchObject({ status: 200, body: { index: 1, origin: 'resend', resendOf: 0, attempts: 1, lastHttpStatus: 200, outcome: 'delivered' } });
    const [original, duplicate] = env.receiver.posts();
    expect(duplicate!.rawBody.equals(original!.rawBody)).toBe(true);
    expect(duplicate!.headers['x-hub-signature-256']).toBe(original!.headers['x-hub-signature-256']);
  });

  test('resend of an older index delivers it after newer ones: out of order; an index not in the log is a 404', async () => {
    await active();
    await env.sim.state.webhooks.idle();
    await http('POST', '/__sim/webhooks/resend', { body: { index: 0 } });
    expect(await received()).toEqual(['SOLUTION_CREATED INITIATED', 'SOLUTION_UPDATED ACTIVE', 'SOLUTION_CREATED INITIATED']);
    expect((await http('POST', '/__sim/webhooks/resend', { body: { index: 99 } })).status).toBe(404);
  });

  test('badSignature signs with another key: the callback’s verifier refuses it (401), as the log shows', async () => {
    await create();
    await env.sim.state.webhooks.idle();
    const resent = await http('POST', '/__sim/webhooks/resend', { body: { badSignature: true } });
    expect(resent.body).toMatchObject({ signature: 'bad', attempts: 1, lastHttpStatus: 401, outcome: 'failed' });
    const [original, forged] = env.receiver.posts();
    expect(forged!.rawBody.equals(original!.rawBody)).toBe(true);
    expect(verifies(forged!.rawBody, forged!.headers['x-hub-signature-256'], APP_SECRET)).toBe(false);
  });

  test('send makes up a change: an unknown status for an unknown solution, at an old time', async () => {
    const sent = await http('POST', '/__sim/webhooks/send', { body: { solutionId: '42', status: 'PENDING', time: 1_600_000_000 } });
    expect(sent.body).toMatchObject({ origin: 'send', solutionId: '42', event: 'SOLUTION_UPDATED', status: 'PENDING', time: 1_600_000_000, lastHttpStatus: 200, outcome: 'delivered' });
    const [post] = env.receiver.posts();
    expect(JSON.parse(post!.rawBody.toString('utf8')).entry[0]).toMatchObject({ id: BUSINESS, time: 1_600_000_000 });
    expect(change(post!)).toEqual({ event: 'SOLUTION_UPDATED', solution_id: '42', solution_status: 'PENDING' });
    expect((await http('POST', '/__sim/webhooks/send', { body: { solutionId: '42' } })).status).toBe(400);
  });

  test('npm run sim -- send-webhook … --bad-signature reaches the same control', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'local/graph-simulator/control-cli.ts', 'send-webhook', '43', 'ACTIVE', '1700000000', '--bad-signature'], {
      env: { ...process.env, GRAPH_SIM_URL: env.sim.url },
    });
    expect(JSON.parse(stdout)).toMatchObject({ solutionId: '43', status: 'ACTIVE', time: 1_700_000_000, signature: 'bad', lastHttpStatus: 401 });
    expect(env.receiver.posts()).toHaveLength(1);
    // A child process that compiles the CLI with tsx: seconds on a loaded 2-core machine, not jest's default 5.
  }, 60_000);
});
