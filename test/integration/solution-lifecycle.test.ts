import { jest } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { WebhookDelivery } from '../../local/graph-simulator/webhooks';
import { DEFAULT_SEED, type SimSolution } from '../../local/graph-simulator/state';
import { PipelineDriver } from '../support/pipeline-driver';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process';
import { runOps } from '../support/ops-cli';

/**
 * After the accept (issue 15): the simulator's signed partner_solutions webhooks reach the webhook
 * function through the runtime's own subscription; the reconciler reads solutions no news reached
 * for 15 s (`-c lifecyclePollHours`, a day in the stack); mismatched solutions are declined
 * (`-c rejectMismatchedSolutions=true`, off in the stack). Assertions are on records, the status API,
 * the simulator's state and its delivery log.
 */
let runtime: RuntimeProcess;
let pipeline: PipelineDriver;
const POLL_SECONDS = 15;
// Each test onboards through the whole pipeline; the first also waits for the sandboxes to compile.
jest.setTimeout(30_000);

beforeAll(async () => {
  runtime = await startRuntimeProcess({
    env: { RECONCILE_INTERVAL_SECONDS: '1' },
    args: ['-c', `lifecyclePollHours=${POLL_SECONDS / 3600}`, '-c', 'rejectMismatchedSolutions=true'],
  });
  pipeline = new PipelineDriver(runtime);
}, 90_000);

afterAll(async () => {
  pipeline?.destroy();
  await runtime?.stop();
});

const statusOf = (onboardingId: string) => fetch(`${runtime.endpoints.http}/api/onboardings/${onboardingId}`).then((r) => r.json() as Promise<Record<string, any>>);
const webhooks = () => pipeline.simulator<{ subscription: { callbackUrl: string } | null; deliveries: WebhookDelivery[] }>('GET', '/__sim/webhooks');
const solutionOnGraph = async (id: string) => (await pipeline.solutions()).find((s) => s.id === id)!;
/** Reads of where a solution stands: the reconciler's lifecycle poll. */
const polls = async (id: string) => (await pipeline.requests()).filter((r) => r.method === 'GET' && r.path === `/${id}` && r.query.fields === 'id,status,status_for_pending_request');

/** One app of a Tech Provider of its own, onboarded until ACCEPTED and Graph's ACTIVE webhook taken: its record. */
async function acceptedSolution(userId: string): Promise<Record<string, any>> {
  const [appId] = await pipeline.techProvider(userId, 1);
  const onboardingId = await pipeline.start(await pipeline.login([appId!], userId));
  const [{ solutionId }] = (await pipeline.settled(onboardingId, ['ACCEPTED'])) as [{ solutionId: string }];
  await pipeline.waitUntil(`${solutionId}'s ACTIVE webhook taken`, async () =>
    (await webhooks()).deliveries.some((d) => d.solutionId === solutionId && d.status === 'ACTIVE' && d.outcome === 'delivered') ? true : undefined,
  );
  const [item] = await pipeline.solutionItems(onboardingId);
  return item!;
}

async function recordBecomes(item: Record<string, any>, status: string, timeoutMs = 20_000): Promise<Record<string, any>> {
  return pipeline.waitUntil(`${item.solutionId} ${status}`, async () => {
    const [now] = await pipeline.solutionItems(item.onboardingId);
    return now?.status === status ? now : undefined;
  }, timeoutMs);
}

/** A delivery Meta would make, signed (or not) with the app secret. */
async function postWebhook(body: string, signature?: string): Promise<Response> {
  return fetch(runtime.endpoints.webhook, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'x-hub-signature-256': signature }) }, body });
}
const sign = (body: string, secret = DEFAULT_SEED.appSecret) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const envelope = (solutionId: string, status: string, time: number) =>
  JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', time, changes: [{ field: 'partner_solutions', value: { event: 'SOLUTION_UPDATED', solution_id: solutionId, solution_status: status } }] }] });

/** `npm run ops -- deactivation …` against this runtime: exit code and output. */
async function deactivationCommand(...args: string[]): Promise<{ code: number | null; output: string }> {
  const { code, stdout, stderr } = await runOps(['deactivation', ...args], { DATA_DIR: runtime.dataDir });
  return { code, output: stdout + stderr };
}

describe('Meta’s webhook, end to end', () => {
  test('the runtime subscribed its own callback through the handshake; a wrong verify token is refused', async () => {
    expect((await webhooks()).subscription).toEqual({ callbackUrl: runtime.endpoints.webhook });
    const handshake = (token: string) => fetch(`${runtime.endpoints.webhook}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`);
    const ok = await handshake(DEFAULT_SEED.webhookVerifyToken);
    expect([ok.status, ok.headers.get('content-type'), await ok.text()]).toEqual([200, 'text/plain; charset=utf-8', '1158201444']);
    const refused = await handshake('guessed');
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain('1158201444');
  });

  test('the simulator deactivates an accepted solution: the record and the status API show DEACTIVATED, through the webhook', async () => {
    const item = await acceptedSolution('701');
    await pipeline.simulator('POST', `/__sim/solutions/${item.solutionId}/deactivate`);
    const deactivated = await recordBecomes(item, 'DEACTIVATED');
    expect(deactivated.lifecycleAt).toEqual(expect.any(String));
    // Not the poll: nothing read the solution's state before the record moved.
    expect(await polls(item.solutionId)).toEqual([]);
    const delivery = (await webhooks()).deliveries.find((d) => d.solutionId === item.solutionId && d.status === 'DEACTIVATED');
    expect(delivery).toMatchObject({ outcome: 'delivered', lastHttpStatus: 200 });
    const status = await statusOf(item.onboardingId);
    expect(status).toMatchObject({ status: 'FAILED', solutions: [{ appId: item.appId, solutionId: item.solutionId, status: 'DEACTIVATED' }] });
  });

  test('a deactivation request raises PENDING_DEACTIVATION; ops rejects it (ACTIVE again, ACCEPTED) or accepts it (DEACTIVATED) with one command', async () => {
    const item = await acceptedSolution('702');
    await pipeline.simulator('POST', `/__sim/solutions/${item.solutionId}/request-deactivation`);
    await recordBecomes(item, 'PENDING_DEACTIVATION');
    expect((await statusOf(item.onboardingId)).solutions[0]).toMatchObject({ status: 'PENDING_DEACTIVATION' });

    // The record follows at once, from the command's own read, or already from the webhook.
    const rejected = await deactivationCommand('reject', item.solutionId);
    expect(rejected.code).toBe(0);
    expect(rejected.output).toContain(`Deactivation request of solution ${item.solutionId} rejected.\nOn Graph it is now ACTIVE.`);
    expect(await solutionOnGraph(item.solutionId)).toMatchObject({ status: 'ACTIVE', statusForPendingRequest: 'NONE' });
    await recordBecomes(item, 'ACCEPTED');

    // No request pending any more: Graph refuses, and the command says so, and where the solution stands.
    const refused = await deactivationCommand('accept', item.solutionId);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/^Graph refused: .*no pending deactivation request/m);
    expect(refused.output).toContain('On Graph it is now ACTIVE.');

    await pipeline.simulator('POST', `/__sim/solutions/${item.solutionId}/request-deactivation`);
    await recordBecomes(item, 'PENDING_DEACTIVATION');
    const accepted = await deactivationCommand('accept', item.solutionId, '--json');
    expect(accepted.code).toBe(0);
    expect(JSON.parse(accepted.output)).toMatchObject({ solutionId: item.solutionId, decision: 'accept', outcome: 'decided', after: { graphStatus: 'DEACTIVATED' } });
    expect(await solutionOnGraph(item.solutionId)).toMatchObject({ status: 'DEACTIVATED' });
    await recordBecomes(item, 'DEACTIVATED');

    await expect(deactivationCommand('accept', '999000999000')).resolves.toMatchObject({ code: 3, output: expect.stringContaining('no record holds solution 999000999000') });
    await expect(deactivationCommand('maybe', item.solutionId)).resolves.toMatchObject({ code: 2, output: expect.stringContaining('usage:') });
  }, 60_000);

  test('duplicates and out-of-order deliveries change nothing; unknown solutions and statuses are taken (200) and change nothing', async () => {
    const item = await acceptedSolution('703');
    const active = (await webhooks()).deliveries.find((d) => d.solutionId === item.solutionId && d.status === 'ACTIVE')!;
    await pipeline.simulator('POST', `/__sim/solutions/${item.solutionId}/request-deactivation`);
    await recordBecomes(item, 'PENDING_DEACTIVATION');
    await pipeline.waitUntil('the request delivered', async () => ((await webhooks()).deliveries.find((d) => d.solutionId === item.solutionId && d.status === 'PENDING_DEACTIVATION' && d.outcome === 'delivered') ? true : undefined));
    const request = (await webhooks()).deliveries.find((d) => d.solutionId === item.solutionId && d.status === 'PENDING_DEACTIVATION')!;
    const [before] = await pipeline.solutionItems(item.onboardingId);

    // The same delivery again, byte for byte.
    await expect(pipeline.simulator('POST', '/__sim/webhooks/resend', { index: request.index })).resolves.toMatchObject({ lastHttpStatus: 200 });
    // The accept's ACTIVE, older than the request, arriving after it.
    await expect(pipeline.simulator('POST', '/__sim/webhooks/resend', { index: active.index })).resolves.toMatchObject({ lastHttpStatus: 200 });
    // News of no solution of ours, and a status Graph does not document.
    await expect(pipeline.simulator('POST', '/__sim/webhooks/send', { solutionId: '999000999001', status: 'DEACTIVATED' })).resolves.toMatchObject({ lastHttpStatus: 200 });
    await expect(pipeline.simulator('POST', '/__sim/webhooks/send', { solutionId: item.solutionId, status: 'PENDING' })).resolves.toMatchObject({ lastHttpStatus: 200 });
    await expect(pipeline.solutionItems(item.onboardingId)).resolves.toEqual([before]);

    // Newer news still goes through.
    await pipeline.simulator('POST', `/__sim/solutions/${item.solutionId}/deactivate`);
    await recordBecomes(item, 'DEACTIVATED');
  });

  test('a bad or missing signature is refused with 401 and writes nothing; a signed payload of fields we do not use is taken', async () => {
    const item = await acceptedSolution('704');
    await expect(pipeline.simulator('POST', '/__sim/webhooks/send', { solutionId: item.solutionId, status: 'DEACTIVATED', badSignature: true })).resolves.toMatchObject({ lastHttpStatus: 401 });
    const body = envelope(item.solutionId, 'DEACTIVATED', Math.floor(Date.now() / 1000));
    const tampered = body.replace('DEACTIVATED', 'REJECTED');
    const answers = await Promise.all([
      postWebhook(tampered, sign(body)),
      postWebhook(body, sign(body, 'another-app-secret')),
      postWebhook(body),
      postWebhook(body, sign(body).replace('sha256=', 'sha1=')),
    ]);
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401]);
    expect(await answers[0]!.json()).toEqual({ error: { code: 'INVALID_SIGNATURE', message: expect.any(String) } });
    await expect(pipeline.solutionItems(item.onboardingId)).resolves.toEqual([item]);

    const unused = JSON.stringify({ object: 'page', entry: [{ id: '9', time: 1, changes: [{ field: 'feed', value: { anything: [1, 2] } }], more: true }] });
    const taken = await postWebhook(unused, sign(unused));
    expect([taken.status, await taken.json()]).toEqual([200, { received: 0, ignored: 1 }]);
    // The genuine, signed news goes through.
    expect((await postWebhook(body, sign(body))).status).toBe(200);
    await recordBecomes(item, 'DEACTIVATED', 5_000);
  });
});

describe('when webhooks fail', () => {
  test('a live solution no news reached is read again after the poll period and follows Graph', async () => {
    const item = await acceptedSolution('705');
    await pipeline.simulator('DELETE', '/__sim/webhooks');
    try {
      await pipeline.simulator('POST', `/__sim/solutions/${item.solutionId}/deactivate`);
      const deactivated = await recordBecomes(item, 'DEACTIVATED', (POLL_SECONDS + 30) * 1000);
      expect(await polls(item.solutionId)).not.toEqual([]);
      expect((await statusOf(item.onboardingId)).solutions[0]).toMatchObject({ status: 'DEACTIVATED' });
      expect(Date.parse(deactivated.updatedAt) - Date.parse(item.updatedAt)).toBeGreaterThanOrEqual(POLL_SECONDS * 1000);
    } finally {
      await pipeline.simulator('PUT', '/__sim/webhooks', { callbackUrl: runtime.endpoints.webhook, verifyToken: DEFAULT_SEED.webhookVerifyToken });
    }
  }, 60_000);
});

describe('when webhooks fail, ops', () => {
  test('decides a deactivation request the records never heard of, and the command brings them along at once', async () => {
    const item = await acceptedSolution('707');
    await pipeline.simulator('DELETE', '/__sim/webhooks');
    try {
      await pipeline.simulator('POST', `/__sim/solutions/${item.solutionId}/request-deactivation`);
      // No webhook: the record still says ACCEPTED (the poll is a period away).
      await expect(pipeline.solutionItems(item.onboardingId)).resolves.toMatchObject([{ status: 'ACCEPTED' }]);
      const accepted = await deactivationCommand('accept', item.solutionId);
      expect(accepted).toMatchObject({ code: 0, output: expect.stringContaining(`onboarding ${item.onboardingId}, app ${item.appId}: ACCEPTED → DEACTIVATED`) });
      await expect(pipeline.solutionItems(item.onboardingId)).resolves.toMatchObject([{ status: 'DEACTIVATED', lifecycleRead: true }]);
    } finally {
      await pipeline.simulator('PUT', '/__sim/webhooks', { callbackUrl: runtime.endpoints.webhook, verifyToken: DEFAULT_SEED.webhookVerifyToken });
    }
  });
});

describe('the check before accepting', () => {
  test('a CREATED item written straight into the table, whose solution has MESSAGING on the owner’s side, is not accepted: ACCEPT_FAILED, SOLUTION_MISMATCH, then declined on Graph', async () => {
    const [appId] = await pipeline.techProvider('706', 1);
    const token = await pipeline.login([appId!], '706');
    // Made on Graph by the Tech Provider itself, nothing like what we configure.
    const created = await fetch(`${runtime.endpoints.graph}/v25.0/${appId}/whatsapp_business_solution`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ owner_permissions: ['MESSAGING', 'MANAGE'], partner_app_id: DEFAULT_SEED.partnerApp.id, partner_permissions: ['VIEW_INSIGHTS'], solution_name: 'Hand-made × app' }),
    });
    const { solution_id: solutionId } = (await created.json()) as { solution_id: string };
    const onboardingId = '7f0a9c1e-0000-4000-8000-000000000706';
    const now = new Date().toISOString();
    const key = { pk: `ONBOARDING#${onboardingId}`, sk: `SOLUTION#${appId}` };
    const table = runtime.endpoints.tableName;
    await pipeline.db.send(
      new PutCommand({ TableName: table, Item: { ...key, entity: 'solution', onboardingId, appId, appName: 'app', solutionName: 'Acme × app · x1', status: 'PENDING', attempts: 1, createdAt: now, updatedAt: now } }),
    );
    await pipeline.db.send(
      new UpdateCommand({ TableName: table, Key: key, UpdateExpression: 'SET #s = :c, solutionId = :id', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':c': 'CREATED', ':id': solutionId } }),
    );

    // ACCEPT_FAILED, and REJECTED moments later once the decline's webhook is in.
    const failed = await pipeline.waitUntil('the mismatch recorded', async () => {
      const [now] = await pipeline.solutionItems(onboardingId);
      return now?.lastError?.reason ? now : undefined;
    }, 30_000);
    expect(['ACCEPT_FAILED', 'REJECTED']).toContain(failed.status);
    expect(failed.lastError).toMatchObject({ code: -1, reason: 'SOLUTION_MISMATCH', message: expect.stringContaining('not the one we asked for') });
    expect(failed.lastError.differences.map((d: { field: string }) => d.field)).toEqual(['name', 'owner_permissions', 'partner_permissions']);
    expect((await pipeline.requests()).filter((r) => r.path === `/${solutionId}/accept`)).toEqual([]);
    // Declined (opt-in), and the webhook brings the record along; why it was declined stays on it.
    await pipeline.waitUntil('declined on Graph', async () => ((await solutionOnGraph(solutionId)).status === 'REJECTED' ? true : undefined));
    expect((await solutionOnGraph(solutionId)).partners[0]).toMatchObject({ status: 'REJECTED' } satisfies Partial<SimSolution['partners'][number]>);
    const rejected = await recordBecomes({ onboardingId, solutionId }, 'REJECTED');
    expect(rejected.lastError).toMatchObject({ reason: 'SOLUTION_MISMATCH' });
  }, 60_000);
});
