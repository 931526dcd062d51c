import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { jest } from '@jest/globals';
import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser } from 'playwright-core';
import { createSolutionMessageSchema } from '../../lambdas/queue/create-solution-message';
import { DESKTOP, launchChromium, withPage } from '../e2e/browser';
import { consent, pageReady } from '../e2e/page-driver';
import { filesUnder, LeakMatcher, markedSecret, WINDOW, type Evidence, type Secret } from '../support/leak-scan';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process';
import { PipelineDriver } from '../support/pipeline-driver';

/**
 * No secret leaves the pipeline other than where it must go (docs/design.md §4: not in DynamoDB, logs,
 * metrics or error messages). The runtime runs with secrets of our own making (the system-user
 * token, the app secret, the webhook verify token) and debug logging; then a flow with every
 * Tech Provider token recorded: onboardings accepted, an accept refused for good, an accept retried,
 * a create refused for good (its token in Graph's `fbtrace_id`), creates that fail until their message is parked in the create DLQ
 * (`createMaxReceiveCount=2`), a stream batch the accept worker fails until it is on the on-failure
 * queue (a poison record: Graph's refusals of an accept are scheduled on its record and never fail
 * the batch), requests intake refuses (each around a live token), and one onboarding on the page in
 * Chromium. Then each place the system wrote to is scanned, one test per place, for any 8-character
 * run of any secret.
 *
 * Not scanned: the Graph simulator's state and request log. It stands for Meta, which receives the
 * tokens by design; it is no output of ours.
 */
let runtime: RuntimeProcess;
let pipeline: PipelineDriver;
let browser: Browser;
/** Every secret the scans look for, and their matcher: built once the flow has made every token. */
let secrets: Secret[];
let matcher: LeakMatcher;
jest.setTimeout(30_000);

const RUNTIME_SECRETS = {
  systemUserToken: markedSecret('LkSys'),
  appSecret: markedSecret('LkApp'),
  webhookVerifyToken: markedSecret('LkHub'),
};
/** The Graph simulator's user tokens (`EAAsim` and 32 random base64url characters), each named after its onboarding. */
const tokens: Secret[] = [];
const tokenByOnboarding = new Map<string, string>();
/** Every answer the API gave, to the test and to the page. */
const answers: Evidence[] = [];
/** What the page kept after its onboarding. */
const pageEvidence: Evidence[] = [];

const [PROD, STAGING] = ['634974688087057', '634974688087058'];
const transientError = { type: 'error' as const, status: 503, code: 2, isTransient: true, message: 'Service temporarily unavailable' };

/** Keeps an API answer for the scan: its headers (a fetch's, or a record as Playwright gives them) and its body as sent. */
function keepAnswer(call: string, answer: { status: number; headers: Headers | Record<string, string>; text: string }): void {
  const headerLines: string[] = [];
  const add = (value: string, name: string) => headerLines.push(`${name}: ${value}`);
  if (answer.headers instanceof Headers) answer.headers.forEach(add);
  else for (const [name, value] of Object.entries(answer.headers)) add(value, name);
  answers.push({ where: `${call} → ${answer.status} headers`, text: headerLines.join('\n') });
  answers.push({ where: `${call} → ${answer.status} body`, text: answer.text });
}

async function post(call: string, body: string, contentType?: string) {
  const answer = await pipeline.postOnboarding(body, contentType);
  keepAnswer(`POST /api/onboardings (${call})`, answer);
  return answer;
}

/** A token intake must refuse, posted as `body` (the token as JSON by default). */
async function refused(call: string, status: number, token: string, body = JSON.stringify({ accessToken: token }), contentType?: string): Promise<void> {
  tokens.push({ label: `Tech Provider token (${call})`, value: token });
  expect((await post(call, body, contentType)).status).toBe(status);
}

/**
 * A Tech Provider of its own logs in with `appCount` apps and posts its token (after `beforePost`,
 * which may arm a fault around it); the onboarding's ID and token.
 */
async function onboard(name: string, userId: string, appCount: number, beforePost?: (token: string) => Promise<unknown>): Promise<{ id: string; token: string }> {
  const token = await pipeline.login(await pipeline.techProvider(userId, appCount), userId);
  tokens.push({ label: `Tech Provider token (${name})`, value: token });
  await beforePost?.(token);
  const answer = await post(name, JSON.stringify({ accessToken: token }));
  expect(answer.status).toBe(202);
  tokenByOnboarding.set(answer.body.onboardingId, token);
  return { id: answer.body.onboardingId, token };
}

const queueDepthIs = (queueUrl: string, depth: number) => async () => ((await pipeline.queueDepth(queueUrl)) === depth ? true : undefined);

beforeAll(async () => {
  browser = await launchChromium();
  runtime = await startRuntimeProcess({
    // Debug logging: the scan covers the most the functions ever print.
    env: {
      RECONCILE_INTERVAL_SECONDS: '1',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      SYSTEM_USER_TOKEN: RUNTIME_SECRETS.systemUserToken,
      APP_SECRET: RUNTIME_SECRETS.appSecret,
      WEBHOOK_VERIFY_TOKEN: RUNTIME_SECRETS.webhookVerifyToken,
    },
    args: ['-c', 'createMaxReceiveCount=2'],
  });
  pipeline = new PipelineDriver(runtime);
  await refusedAtIntake();
  const accept = await failingAccepts();
  const { queues } = runtime.endpoints;

  const [createRefused] = await pipeline.techProvider('914', 1);
  // Refused with the Tech Provider's token in Graph's trace id: screened like the message, kept as `Tr[token]`.
  const refuseCreate = (token: string) =>
    pipeline.addFault({ operation: 'create_solution', objectId: createRefused, effect: { type: 'error', status: 400, code: 100, message: '(#100) Invalid parameter', fbtraceId: `Tr${token}` } });
  // Abandoned: its create is throttled (Graph made nothing), then every listing fails until its two receives are spent.
  const [abandoned] = await pipeline.techProvider('915', 1);
  await pipeline.addFault({ operation: 'create_solution', objectId: abandoned, times: 1, effect: { type: 'error', status: 400, code: 4, message: '(#4) Application request limit reached' } });
  await pipeline.addFault({ operation: 'list_solutions', objectId: abandoned, effect: transientError });
  const [created, parked, accepted] = await Promise.all([onboard('create refused', '914', 1, refuseCreate), onboard('create abandoned', '915', 1), onboard('accepted', '911', 3)]);
  // The same token again: the first onboarding's answer (200).
  expect((await post('accepted, posted again', JSON.stringify({ accessToken: accepted.token }))).status).toBe(200);
  await pipeline.poisonAcceptStream('leak-scan-poison', '919000');

  await Promise.all([
    onboardOnThePage(),
    pipeline.settled(accepted.id, ['ACCEPTED']),
    pipeline.settled(accept.retried, ['ACCEPTED']),
    pipeline.settled(created.id, ['CREATE_FAILED']),
    // Ended by the reconciler once the last delivery failed (CREATE_ABANDONED); its message stays parked.
    pipeline.settled(parked.id, ['CREATE_FAILED']),
    pipeline.waitUntil('the abandoned create message in the DLQ', queueDepthIs(queues.createSolutionDlq, 1)),
    pipeline.waitUntil('the poisoned stream batch on the on-failure queue', queueDepthIs(queues.acceptSolutionFailures, 1)),
  ]);
  // The refusal carried the token in its trace id (the scans below look for it everywhere).
  expect((await pipeline.solutionItems(created.id))[0]?.lastError).toMatchObject({ code: 100, fbtraceId: 'Tr[token]' });
  const businessTokens = await clientsThrough(accepted.id);
  // Each onboarding's status as the page reads it, failures included.
  for (const [call, id] of Object.entries({ accepted: accepted.id, 'accept refused': accept.refused, 'accept retried': accept.retried, 'create refused': created.id, 'create abandoned': parked.id })) {
    keepAnswer(`GET /api/onboardings/{id} (${call})`, await pipeline.getOnboarding(id));
  }

  secrets = [
    { label: 'system-user token', value: RUNTIME_SECRETS.systemUserToken },
    { label: 'app secret', value: RUNTIME_SECRETS.appSecret },
    { label: 'webhook verify token', value: RUNTIME_SECRETS.webhookVerifyToken },
    ...tokens,
    ...businessTokens,
  ];
  matcher = new LeakMatcher(secrets);
}, 150_000);

afterAll(async () => {
  await browser?.close();
  pipeline?.destroy();
  await runtime?.stop();
});

/** Requests intake refuses; nothing is created, so one Tech Provider's app serves them all. */
async function refusedAtIntake(): Promise<void> {
  const apps = await pipeline.techProvider('916', 1);
  const login = (grant?: Parameters<PipelineDriver['login']>[2]) => pipeline.login(apps, '916', grant);
  await refused('expired', 401, await login({ expiresInSeconds: -60 }));
  await refused('issued for another app', 401, await login({ forAppId: '1999999999999999' }));
  await refused('permission not granted', 403, await login({ scopes: ['public_profile'] }));
  await refused('no app selected', 422, await pipeline.login([], '916'));
  // Graph failing the POST's check: the click is taken (VERIFYING, the token in the verify message
  // only), and the later check finds the login expired: FAILED, INVALID_TOKEN, read from its status.
  await pipeline.addFault({ operation: 'debug_token', times: 1, effect: transientError });
  const deferred = await login({ expiresInSeconds: -60 });
  tokens.push({ label: 'Tech Provider token (checked later)', value: deferred });
  const taken = await post('Graph unavailable, checked later', JSON.stringify({ accessToken: deferred, expiresIn: 3600 }));
  expect([taken.status, taken.body.status]).toEqual([202, 'VERIFYING']);
  const failed = await pipeline.waitUntil('the deferred check to fail', async () => {
    const view = await pipeline.getOnboarding(taken.body.onboardingId);
    return view.body.status === 'FAILED' ? view : undefined;
  });
  expect(failed.body.error.code).toBe('INVALID_TOKEN');
  keepAnswer('GET /api/onboardings/{id} (checked later, failed)', failed);
  // Bodies intake cannot take, each around a live token: refused without repeating any of it.
  const malformed = await login();
  await refused('malformed JSON', 400, malformed, `{"accessToken": "${malformed}",}`);
  const notJson = await login();
  await refused('not JSON', 415, notJson, JSON.stringify({ accessToken: notJson }), 'text/plain');
  const tooLarge = await login();
  await refused('too large', 413, tooLarge, JSON.stringify({ accessToken: tooLarge, padding: 'x'.repeat(9_000) }));
  expect((await post('blank token', '{"accessToken": "  "}')).status).toBe(400);
  keepAnswer('GET /api/onboardings/{unknown}', await pipeline.getOnboarding('00000000-0000-4000-8000-000000000000'));
}

/**
 * Accepts Graph refuses (neither rule can name its solution ahead, so one at a time): one for good
 * (ACCEPT_FAILED), one transiently, retried by the reconciler. The IDs of their onboardings.
 */
async function failingAccepts(): Promise<{ refused: string; retried: string }> {
  await pipeline.addFault({ operation: 'accept_solution', times: 1, effect: { type: 'error', status: 403, code: 200, message: '(#200) Permissions error' } });
  const { id: refused } = await onboard('accept refused', '912', 1);
  await pipeline.settled(refused, ['ACCEPT_FAILED']);
  await pipeline.addFault({ operation: 'accept_solution', times: 1, effect: { type: 'error', status: 500, code: 1, isTransient: true } });
  const { id: retried } = await onboard('accept retried', '913', 1);
  await pipeline.waitUntil('the failed accept scheduled again', async () => ((await pipeline.solutionItems(retried))[0]?.lastError ? true : undefined));
  return { refused, retried };
}

/**
 * Clients onboarded through an accepted solution (issue 28): one shared after a failed read of its
 * WABA, one whose share Graph refuses for good. Each sharing attempt reads the client's business token
 * from Graph; the simulator lists every one it issued, and each is a secret of the scan.
 */
async function clientsThrough(onboardingId: string): Promise<Secret[]> {
  const [{ solutionId }] = (await pipeline.solutionItems(onboardingId)) as [{ solutionId: string }];
  const clientIn = (wabaId: string, status: string) => async () => ((await pipeline.clientItem(solutionId, wabaId))?.status === status ? true : undefined);
  await pipeline.addFault({ operation: 'read_waba', times: 1, effect: transientError });
  const shared = await pipeline.simulator<{ waba: { id: string } }>('POST', '/__sim/clients', { solutionId, events: 'both' });
  await pipeline.waitUntil('a client shared after a failed attempt', clientIn(shared.waba.id, 'CREDIT_SHARED'));
  await pipeline.addFault({ operation: 'share_credit_line', times: 1, effect: { type: 'error', status: 403, code: 200, message: '(#200) Permissions error' } });
  const refused = await pipeline.simulator<{ waba: { id: string } }>('POST', '/__sim/clients', { solutionId, events: 'added' });
  await pipeline.waitUntil('a client whose share is refused', clientIn(refused.waba.id, 'CREDIT_FAILED'));
  const issued = await pipeline.simulator<{ token: string; businessId: string }[]>('GET', '/__sim/business-tokens');
  expect(issued.length).toBeGreaterThanOrEqual(3);
  return issued.map((t) => ({ label: `client business token (${t.businessId})`, value: t.token }));
}

/** The default Tech Provider onboards two apps on the page; its API answers and what it kept are recorded. */
async function onboardOnThePage(): Promise<void> {
  await withPage(browser, 'leak-scan', runtime.endpoints.http, { viewport: DESKTOP }, async ({ page, console: consoleMessages }) => {
    const apiOrigin = `${runtime.endpoints.http}/api/`;
    const pageAnswers: Promise<void>[] = [];
    const requestUrls: string[] = [];
    page.on('request', (request) => void (request.url().startsWith(runtime.endpoints.http) && requestUrls.push(request.url())));
    page.on('response', (response) => {
      if (!response.url().startsWith(apiOrigin)) return;
      const call = `${response.request().method()} ${new URL(response.url()).pathname} (page)`;
      pageAnswers.push(Promise.all([response.allHeaders(), response.text()]).then(([headers, text]) => keepAnswer(call, { status: response.status(), headers, text })));
    });
    await pageReady(page);
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/onboardings'));
    await consent(page, { apps: [PROD, STAGING] });
    tokens.push({ label: 'Tech Provider token (the page)', value: (JSON.parse((await posted).postData() ?? '{}') as { accessToken: string }).accessToken });
    await page.locator('#solutions > li[data-status="ACCEPTED"]').nth(1).waitFor({ timeout: 45_000 });
    await Promise.all(pageAnswers);
    pageEvidence.push(
      { where: 'DOM', text: await page.evaluate(() => document.documentElement.outerHTML) },
      { where: 'URL', text: page.url() },
      { where: 'localStorage', text: await page.evaluate(() => JSON.stringify({ ...localStorage })) },
      { where: 'sessionStorage', text: await page.evaluate(() => JSON.stringify({ ...sessionStorage })) },
      { where: 'cookies', text: JSON.stringify(await page.context().cookies()) },
      ...consoleMessages.map((text, i) => ({ where: `console message #${i}`, text })),
      ...requestUrls.map((text, i) => ({ where: `request URL #${i}`, text })),
    );
  });
}

/** Fails on any finding, each named by where it is, which secret and which window; a source with nothing in it fails too. */
function expectNoLeaks(evidence: Evidence[]): void {
  expect(evidence.filter((e) => e.text.length > 0).length).toBeGreaterThan(0);
  expect(matcher.scan(evidence)).toEqual([]);
}

/** Every message on a queue, received but not deleted (hidden for a minute, past this file's end). */
async function peek(queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await pipeline.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60, MessageAttributeNames: ['All'] }));
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
  }
}

/** Messages the queues' store in DATA_DIR holds for a queue, whatever their state. */
function storedMessageCount(queueName: string): number {
  const store = new DatabaseSync(join(runtime.dataDir, 'sqs', 'fauxqs.db'), { readOnly: true });
  try {
    return (store.prepare('SELECT count(*) AS n FROM sqs_messages WHERE queue_name = ?').get(queueName) as { n: number }).n;
  } finally {
    store.close();
  }
}

const messageEvidence = (messages: Message[], body: (message: Message) => unknown) =>
  messages.map((message, i) => ({ where: `message #${i}`, text: JSON.stringify({ body: body(message), attributes: message.MessageAttributes ?? {} }) }));

/** The runtime's output, line by line: its own lines, and the functions' logs and EMF metrics from their sandboxes. */
function outputLines(kind: 'log' | 'emf'): Evidence[] {
  const isEmf = (line: string) => {
    try {
      return '_aws' in JSON.parse(line);
    } catch {
      return false;
    }
  };
  return runtime
    .output()
    .split('\n')
    .map((text, i) => ({ where: `line ${i + 1}`, text }))
    .filter(({ text }) => text.trim() !== '' && isEmf(text) === (kind === 'emf'));
}

test('self-check: the runtime used our secrets, and a planted 8-character slice of any secret is found, named by window', async () => {
  const requests = await pipeline.requests();
  expect(requests.some((r) => r.auth.token === RUNTIME_SECRETS.systemUserToken)).toBe(true);
  expect(requests.some((r) => r.auth.token?.endsWith(`|${RUNTIME_SECRETS.appSecret}`))).toBe(true);
  // Eight refused, five onboardings, the page's.
  expect(tokens).toHaveLength(14);

  for (const { label, value } of secrets) {
    const last = value.length - WINDOW;
    expect(matcher.findings(`id=${value.slice(last)};`)).toEqual([`@3: ${label} window #${last}`]);
    expect(matcher.findings(`"${value.slice(5, 5 + WINDOW + 2)}"`)).toEqual([`@1: ${label} window #5..#7`]);
  }
  expect(matcher.findings('{"level":"INFO","message":"onboarding started","apps":3,"onboardingId":"4f1c2d3e-0000-4000-8000-1234567890ab"}')).toEqual([]);
});

describe('nothing of any secret in', () => {
  test('DynamoDB: every item of the table', async () => {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await pipeline.db.send(new ScanCommand({ TableName: runtime.endpoints.tableName, ConsistentRead: true, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    expectNoLeaks(items.flatMap((item, i) => Object.entries(item).map(([name, value]) => ({ where: `item #${i} (${String(item.entity)}) .${name}`, text: `${name}: ${JSON.stringify(value)}` }))));
  });

  test('DynamoDB: every record of the table stream (what items held before they changed)', async () => {
    const records = await pipeline.streamRecords();
    expectNoLeaks(records.map(({ record }, i) => ({ where: `record #${i} (${record.eventName})`, text: JSON.stringify(record.dynamodb) })));
  });

  test('the API: every answer’s headers and body, errors included, to the test and to the page', () => {
    expect(answers.some((a) => a.where.includes('(page)'))).toBe(true);
    expectNoLeaks(answers);
  });

  test('the create DLQ: a parked message carries its onboarding’s Tech Provider token, in its token field and nowhere else', async () => {
    const messages = await peek(runtime.endpoints.queues.createSolutionDlq);
    expect(messages).toHaveLength(1);
    const evidence = messageEvidence(messages, (message) => {
      const body = JSON.parse(message.Body!) as Record<string, unknown>;
      const { onboardingId, accessToken } = createSolutionMessageSchema.parse(body);
      // By design (the worker needs it); compared, not printed.
      expect(accessToken === tokenByOnboarding.get(onboardingId)).toBe(true);
      const rest = { ...body };
      delete rest.accessToken;
      return rest;
    });
    expectNoLeaks(evidence);
  });

  test('the accept on-failure queue: every message, whole', async () => {
    const messages = await peek(runtime.endpoints.queues.acceptSolutionFailures);
    expect(messages.length).toBeGreaterThan(0);
    expectNoLeaks(messageEvidence(messages, (message) => message.Body));
  });

  test('the page after its onboarding: DOM, URL, storage, cookies, console, the URLs it requested', () => {
    expect(pageEvidence.find((e) => e.where === 'URL')?.text).toMatch(/\?onboarding=/);
    expectNoLeaks(pageEvidence);
  });

  test('the files the runtime keeps in DATA_DIR (DynamoDB Local’s data, stream checkpoints, the queues’ store, runtime.json)', () => {
    // The functions' bundles are built from the sources before the runtime holds any secret.
    const files = filesUnder(runtime.dataDir).filter((file) => !file.where.startsWith('bundles/'));
    // DynamoDB Local keeps item text as written, so a token stored at rest would be read here.
    const database = files.find((file) => file.where.startsWith('dynamodb/') && file.where.endsWith('.db'));
    expect([...tokenByOnboarding.keys()].every((onboardingId) => database?.text.includes(onboardingId))).toBe(true);
    // The queues' store holds the parked create message, and with it its Tech Provider's token, sealed.
    expect(files.some((file) => file.where === join('sqs', 'fauxqs.db'))).toBe(true);
    expect(storedMessageCount('mps-create-solution-dlq')).toBe(1);
    expectNoLeaks(files);
  });

  // Last, so that they hold what the scans above made the functions print too.
  test('EMF metrics in the functions’ output', () => {
    expectNoLeaks(outputLines('emf'));
  });

  test('every log line of the runtime and of every function', () => {
    expectNoLeaks(outputLines('log'));
  });
});
