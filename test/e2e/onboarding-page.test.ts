import type { Browser, Page, Request } from 'playwright-core';
import type { ClientRecord } from '../../lambdas/domain/clients/client-record';
import { dynamoClientStore } from '../../lambdas/store/dynamo-record-store';
import { contentSecurityPolicy } from '../../lib/constructs/security-headers';
import { PipelineDriver } from '../support/pipeline-driver';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process';
import { DESKTOP, expectText, isFocused, launchChromium, PHONE, screenshot, withPage } from './browser';
import {
  cancelConsent,
  consent,
  expectNoPageErrors,
  expectProblemWithRetry,
  hasNoHorizontalScroll,
  launch,
  pageReady,
  problem,
  recordAnnouncements,
  recordRowBoxes,
  rewriteConsent,
  rows,
} from './page-driver';

/**
 * The onboarding page in Debian's Chromium against the local runtime (`npm start`'s program): the
 * JS SDK stand-in's consent dialog, the real API and pipeline, the Graph simulator's faults.
 * The default Tech Provider has three apps, and an app gets one solution ever: the happy path
 * uses two, the accept failure the third; every other test is refused before anything is created.
 * Every test allows 30 s at least: a browser page on a loaded machine (two test files at a time)
 * takes more than jest's default 5 s.
 */
let runtime: RuntimeProcess;
let pipeline: PipelineDriver;
let browser: Browser;

const [PROD, STAGING, SUPPORT_BOT] = ['634974688087057', '634974688087058', '634974688087059'];
const PROD_SOLUTION = { appId: PROD, appName: 'media_monsoon_prod', solutionName: 'Acme × media_monsoon_prod', solutionId: '1234567890123456' };

/**
 * The API stood in for one onboarding of PROD: the POST answers 202 (`started` adds to its body), each
 * poll what `answer(poll)` says (1-based). Returns how many polls came.
 */
async function standInOnboarding(
  page: Page,
  onboardingId: string,
  answer: (poll: number) => { status?: number; headers?: Record<string, string>; json: Record<string, unknown> },
  started: Record<string, unknown> = {},
) {
  await page.route('**/api/onboardings', (route) =>
    route.fulfill({ status: 202, json: { onboardingId, statusUrl: `/api/onboardings/${onboardingId}`, apps: [{ appId: PROD, name: 'media_monsoon_prod' }], ...started } }),
  );
  let polls = 0;
  await page.route(`**/api/onboardings/${onboardingId}`, (route) => {
    const { status, headers, json } = answer(++polls);
    const body = status && status >= 400 ? json : { onboardingId, createdAt: new Date().toISOString(), ...json };
    return route.fulfill({ status: status ?? 200, headers, json: body });
  });
  return () => polls;
}

beforeAll(async () => {
  // The browser first: without it the run fails at once, with the install command.
  browser = await launchChromium();
  runtime = await startRuntimeProcess();
  pipeline = new PipelineDriver(runtime);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  pipeline?.destroy();
  await runtime?.stop();
});

afterEach(() => pipeline?.clearControls());

describe('the onboarding page in a real browser', () => {
  test('two apps picked in the Facebook dialog end with both solution IDs accepted, copyable, announced, rows steady, no trace of the token', async () => {
    await withPage(browser, 'onboarding-complete', runtime.endpoints.http, { viewport: DESKTOP, permissions: ['clipboard-read', 'clipboard-write'] }, async (session) => {
      const { page } = session;
      await pageReady(page);
      const config = await (await fetch(`${runtime.endpoints.http}/config.json`)).json();
      expect(await page.locator('script[src$="sdk.js"]').getAttribute('src')).toBe(config.sdkUrl);
      const rowBoxes = await recordRowBoxes(page);
      const announcements = await recordAnnouncements(page, '#announcer');
      expect(await page.locator('#announcer').getAttribute('aria-live')).toBe('polite');
      expect(await page.locator('#status').getAttribute('aria-live')).toBe('polite');

      // Keyboard first: the button is the first stop of the tab order.
      await page.keyboard.press('Tab');
      expect(await isFocused(launch(page))).toBe(true);
      const posted = page.waitForRequest((r: Request) => r.method() === 'POST' && r.url().endsWith('/api/onboardings'));
      const started = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/onboardings'));
      await consent(page, { apps: [PROD, STAGING] });
      const token = (JSON.parse((await posted).postData() ?? '{}') as { accessToken: string }).accessToken;
      const { onboardingId } = (await (await started).json()) as { onboardingId: string };

      await expectText(page.locator('#onboarding-id'), onboardingId);
      await page.locator('#solutions > li[data-status="ACCEPTED"]').nth(1).waitFor({ timeout: 45_000 });
      await expectText(page.locator('#status'), 'Done: all 2 solutions are ready.');

      const simulated = (await pipeline.solutions()).filter((s) => [PROD, STAGING].includes(s.ownerApp.id));
      expect(simulated.map((s) => s.status)).toEqual(['ACTIVE', 'ACTIVE']);
      const shownIds = await page.locator('.solution-id').allTextContents();
      expect(shownIds.sort()).toEqual(simulated.map((s) => s.id).sort());
      expect(await rows(page).locator('.state-label').allTextContents()).toEqual(['Accepted, ready to use', 'Accepted, ready to use']);
      expect(await announcements()).toEqual(
        expect.arrayContaining([expect.stringContaining('media_monsoon_prod: Accepted'), expect.stringContaining('media_monsoon_staging: Accepted')]),
      );
      // From PENDING to ACCEPTED, no row moved or changed size.
      for (const boxes of Object.values(await rowBoxes())) {
        expect(new Set(boxes.map((b) => b.status)).size).toBeGreaterThan(1);
        expect(new Set(boxes.map((b) => `${b.top}/${b.height}`)).size).toBe(1);
      }
      expect(Object.keys(await rowBoxes())).toHaveLength(2);
      await screenshot(page, 'onboarding-complete');

      // Focus went to the results; the link to them, then the copy buttons follow in order, named after their app.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('progress-title');
      await page.keyboard.press('Tab');
      expect(await isFocused(page.getByRole('link', { name: "Link to this onboarding's status" }))).toBe(true);
      await page.keyboard.press('Tab');
      const copyProd = page.getByRole('button', { name: 'Copy the solution ID of media_monsoon_prod' });
      expect(await isFocused(copyProd)).toBe(true);
      await page.keyboard.press('Enter');
      // Its label says it worked (the button's name then changes, so find it by its row).
      const [prodRow, stagingRow] = [rows(page).first(), rows(page).nth(1)];
      await expectText(prodRow.locator('.copy-id .copy-label'), 'Copied');
      const prodId = simulated.find((s) => s.ownerApp.id === PROD)!.id;
      const stagingId = simulated.find((s) => s.ownerApp.id === STAGING)!.id;
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(prodId);

      // Next, the app's Embedded Signup code: open now that every app is final, with its own Copy button.
      expect(await prodRow.locator('details.snippet').evaluate((details) => (details as HTMLDetailsElement).open)).toBe(true);
      await page.keyboard.press('Tab');
      expect(await isFocused(prodRow.locator('summary'))).toBe(true);
      // The code's box, which scrolls by keyboard where its lines do not fit.
      await page.keyboard.press('Tab');
      expect(await isFocused(page.getByRole('region', { name: 'Embedded Signup code of media_monsoon_prod' }))).toBe(true);
      await page.keyboard.press('Tab');
      expect(await isFocused(page.getByRole('button', { name: 'Copy the Embedded Signup code of media_monsoon_prod' }))).toBe(true);
      await page.keyboard.press('Enter');
      await expectText(prodRow.locator('.copy-snippet .copy-label'), 'Copied');
      const snippet = await page.evaluate(() => navigator.clipboard.readText());
      for (const part of [
        'FB.login(callback, {',
        "config_id: '<YOUR_ES_CONFIGURATION_ID>'",
        "response_type: 'code'",
        'override_default_response_type: true',
        `setup: { solutionID: '${prodId}' }`,
        "featureType: ''",
        "sessionInfoVersion: '3'",
      ]) {
        expect(snippet).toContain(part);
      }
      // It is JavaScript as it stands (`callback` is the Tech Provider's own function, looked up only when run).
      expect(() => new Function(snippet)).not.toThrow();
      expect(await prodRow.locator('.snippet-code').textContent()).toBe(snippet);
      expect(await stagingRow.locator('.snippet-code').textContent()).toContain(`solutionID: '${stagingId}'`);
      expect(await announcements()).toContain('Embedded Signup code of media_monsoon_prod copied.');
      await page.keyboard.press('Tab');
      expect(await isFocused(page.getByRole('button', { name: 'Copy the solution ID of media_monsoon_staging' }))).toBe(true);

      // The token went to the API once and is nowhere the page can show or keep it.
      expect(token).toMatch(/^EAAsim/);
      expect((await pipeline.requests()).some((r) => r.auth.kind === 'user' && r.auth.token === token)).toBe(true);
      const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
      const cookies = JSON.stringify(await page.context().cookies());
      for (const place of [await page.content(), page.url(), storage, cookies, session.console.join('\n')]) expect(place).not.toContain(token);
      expectNoPageErrors(session);

      // The same finished page on a phone: nothing to scroll sideways but the code, inside its own box.
      await page.setViewportSize(PHONE);
      expect(await hasNoHorizontalScroll(page)).toBe(true);
      expect(await prodRow.locator('.snippet-box').evaluate((box) => box.scrollWidth > box.clientWidth)).toBe(true);
      await screenshot(page, 'onboarding-complete-360px');
    });
  }, 60_000);

  test('a permanent accept failure shows what went wrong, what to do and the Facebook trace ID, at 360 px', async () => {
    await pipeline.addFault({ operation: 'accept_solution', effect: { type: 'error', status: 403, code: 200, message: '(#200) Permissions error' } });
    await withPage(browser, 'accept-failed-360px', runtime.endpoints.http, { viewport: PHONE }, async (session) => {
      const { page } = session;
      await pageReady(page);
      await consent(page, { apps: [SUPPORT_BOT] });
      const row = page.locator('#solutions > li[data-status="ACCEPT_FAILED"]');
      await row.waitFor({ timeout: 45_000 });
      await expectText(row.locator('.state-label'), 'Created, not accepted');
      await expectText(row.locator('.failure-text'), /permission problem on our side.*contact support/);
      await expectText(row.locator('.failure-detail'), /^Facebook said: \(#200\) Permissions error · Facebook trace ID: \S+$/);
      await expectText(page.locator('#status'), 'Finished, but no solution could be set up: see below.');
      // The solution exists on Facebook but is not usable: its ID is shown for support, with nothing to copy.
      await expectText(row.locator('.solution-id'), /^\d+$/);
      expect(await row.getByRole('button').count()).toBe(0);
      expect(await hasNoHorizontalScroll(page)).toBe(true);
      expectNoPageErrors(session);
      await screenshot(page, 'accept-failed-360px');
    });
  }, 60_000);

  test('closing the Facebook dialog says so, sends nothing, and the retry opens the dialog again', async () => {
    await withPage(browser, 'login-cancelled-360px', runtime.endpoints.http, { viewport: PHONE }, async (session) => {
      const { page } = session;
      const apiCalls: string[] = [];
      page.on('request', (r) => r.url().includes('/api/') && apiCalls.push(r.url()));
      await pageReady(page);
      await launch(page).click();
      await cancelConsent(page);
      await expectProblemWithRetry(page, 'login-cancelled-360px', 'You closed the Facebook window', /Nothing was set up/);
      expect(apiCalls).toEqual([]);
      expect(await hasNoHorizontalScroll(page)).toBe(true);
      expectNoPageErrors(session);
    });
  }, 30_000);

  test('while following, lost contact is said with the next try, and the page carries on once the API answers', async () => {
    await withPage(browser, 'poll-reconnecting', runtime.endpoints.http, { viewport: DESKTOP }, async (session) => {
      const { page } = session;
      // A stand-in for the API: this is about the page's polling, and must not use up an app.
      const polls = await standInOnboarding(page, '00000000-0000-4000-8000-000000000000', (poll) =>
        poll <= 2
          ? { status: 503, headers: { 'retry-after': '2' }, json: { error: { code: 'GRAPH_UNAVAILABLE', message: 'Try again in a few seconds.' } } }
          : { json: { status: 'COMPLETED', solutions: [{ ...PROD_SOLUTION, status: 'ACCEPTED' }] } },
      );
      await pageReady(page);
      await consent(page, { apps: [PROD] });
      await expectText(page.locator('#status'), /^We lost contact with our server; checking again in [23] seconds…$/);
      await screenshot(page, 'poll-reconnecting');
      await expectText(page.locator('#status'), 'Done: your solution is ready.', 15_000);
      await expectText(rows(page).locator('.solution-id'), '1234567890123456');
      expect(polls()).toBe(3);
      expectNoPageErrors(session);
    });
  }, 30_000);

  test.each([
    { answer: '503', first: { status: 503, headers: { 'retry-after': '1' }, json: { error: { code: 'GRAPH_UNAVAILABLE', message: 'Try again in a few seconds.' } } } },
    // API Gateway's own throttle, before any function runs: nothing was taken, and it says nothing of when.
    { answer: '429 of API Gateway', first: { status: 429, json: { message: 'Too Many Requests' } } },
  ])('a POST answered $answer is retried with the same login, and the page says so while it waits', async ({ answer, first }) => {
    await withPage(browser, `post-retried-${answer.split(' ')[0]}`, runtime.endpoints.http, { viewport: DESKTOP }, async (session) => {
      const { page } = session;
      const bodies: string[] = [];
      page.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/api/onboardings') && bodies.push(r.postData() ?? ''));
      // The first POST is answered in front of the API; the page's retry reaches it.
      let posts = 0;
      await page.route('**/api/onboardings', (route) => (++posts === 1 ? route.fulfill(first) : route.continue()));
      await pageReady(page);
      // No app selected: the retried POST gets a refusal, so that nothing is created.
      await consent(page, { apps: [] });
      await expectText(page.locator('#status'), /^Facebook or our server is slow to answer; trying again in \d+ seconds?…$/);
      await expectText(problem(page).getByRole('heading'), 'No app was selected', 15_000);
      expect(bodies).toHaveLength(2);
      expect(bodies[1]).toBe(bodies[0]);
      expectNoPageErrors(session);
    });
  }, 30_000);

  test('a login Facebook was too busy to check at once: taken, the page says it waits for Facebook, then why it failed, with a retry', async () => {
    await withPage(browser, 'verifying-then-failed', runtime.endpoints.http, { viewport: PHONE }, async (session) => {
      const { page } = session;
      const posted = page.waitForRequest((r: Request) => r.method() === 'POST' && r.url().endsWith('/api/onboardings'));
      // A stand-in for the API: the check's outcome is the pipeline's (test/integration); this is what the page shows of it.
      const polls = await standInOnboarding(
        page,
        '00000000-0000-4000-8000-000000000002',
        (poll) => ({
          json:
            poll <= 2
              ? { status: 'VERIFYING', solutions: [] }
              : { status: 'FAILED', solutions: [], error: { code: 'TOKEN_EXPIRED', message: 'Facebook was too busy for us to check your login before it expired.' } },
        }),
        { apps: [], status: 'VERIFYING' },
      );
      await pageReady(page);
      await consent(page, { apps: [PROD] });
      // The login's lifetime goes with the token: the API checks no longer than it lasts.
      const body = JSON.parse((await posted).postData() ?? '{}') as { accessToken: string; expiresIn?: unknown };
      expect(Number.isInteger(body.expiresIn) && (body.expiresIn as number) > 0).toBe(true);
      await expectText(page.locator('#status'), 'Facebook is busy. We check your login once it lets us, even if you close this page.');
      expect(await hasNoHorizontalScroll(page)).toBe(true);
      await screenshot(page, 'verifying-360px');
      await expectProblemWithRetry(page, 'verify-failed-360px', 'Your Facebook login expired before we could check it', /Nothing was set up\. Try again to log in afresh\./);
      expect(polls()).toBeGreaterThanOrEqual(3);
      expectNoPageErrors(session);
    });
  }, 45_000);

  test('a solution being retried says in plain words that Facebook is slow and that we keep trying, then completes', async () => {
    await withPage(browser, 'accept-retrying', runtime.endpoints.http, { viewport: PHONE }, async (session) => {
      const { page } = session;
      // A stand-in for the API: this is about what the page shows, and must not use up an app.
      const nextAttemptAt = new Date(Date.now() + 10 * 60_000).toISOString();
      const retrying = { ...PROD_SOLUTION, status: 'CREATED', attempts: 3, nextAttemptAt, error: { code: 2, message: 'Service temporarily unavailable' } };
      await standInOnboarding(page, '00000000-0000-4000-8000-000000000001', (poll) => ({
        json: poll > 3 ? { status: 'COMPLETED', solutions: [{ ...PROD_SOLUTION, status: 'ACCEPTED' }] } : { status: 'IN_PROGRESS', solutions: [retrying] },
      }));
      await pageReady(page);
      await consent(page, { apps: [PROD] });
      const row = rows(page).first();
      await expectText(page.locator('#status'), 'Facebook is slow or limiting us right now. We keep trying on our own, even if you close this page.');
      await expectText(row.locator('.retry-note'), /^Facebook did not answer this step yet \(3 tries so far\); we keep trying\. Next try around \d{1,2}:\d{2}/);
      await expectText(row.locator('.failure-detail'), 'Facebook said: Service temporarily unavailable');
      await expectText(row.locator('.failure-text'), '');
      expect(await hasNoHorizontalScroll(page)).toBe(true);
      await screenshot(page, 'accept-retrying-360px');
      await expectText(page.locator('#status'), 'Done: your solution is ready.', 20_000);
      await expectText(row.locator('.retry-note'), '');
      expectNoPageErrors(session);
    });
  }, 45_000);

  test('the URL holds the onboarding, never the token, and a fresh page opened on its link follows it without a login', async () => {
    // A Tech Provider of its own: this onboarding is real, and an app gets one solution ever.
    const userId = '2000000000000077';
    const app = { id: '634974688087077', name: 'media_monsoon_reopen' };
    await pipeline.simulator('POST', '/__sim/tech-providers', { userId, name: 'Monsoon Reopen (Tech Provider)', apps: [app] });
    let onboardingId = '';
    let solutionId = '';
    await withPage(browser, 'reopen-link', runtime.endpoints.http, { viewport: DESKTOP }, async (session) => {
      const { page } = session;
      await pageReady(page);
      // The dialog logs in as that Tech Provider, with its app selected.
      await rewriteConsent(page, { userId, appIds: [app.id] });
      const posted = page.waitForRequest((r: Request) => r.method() === 'POST' && r.url().endsWith('/api/onboardings'));
      const started = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/onboardings'));
      await consent(page, { apps: [] });
      const token = (JSON.parse((await posted).postData() ?? '{}') as { accessToken: string }).accessToken;
      ({ onboardingId } = (await (await started).json()) as { onboardingId: string });
      await page.locator('#solutions > li[data-status="ACCEPTED"]').waitFor({ timeout: 25_000 });
      await expectText(page.locator('#status'), 'Done: your solution is ready.');
      solutionId = (await rows(page).locator('.solution-id').textContent()) ?? '';
      expect(solutionId).toMatch(/^\d+$/);

      const link = page.getByRole('link', { name: "Link to this onboarding's status" });
      expect(await link.getAttribute('href')).toBe(`/?onboarding=${onboardingId}`);
      const url = new URL(page.url());
      expect(url.search).toBe(`?onboarding=${onboardingId}`);
      expect(url.hash).toBe('');
      expect(token).toMatch(/^EAAsim/);
      const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
      const cookies = JSON.stringify(await page.context().cookies());
      for (const place of [page.url(), storage, cookies, await page.content()]) expect(place).not.toContain(token);
      expectNoPageErrors(session);
    });

    await withPage(browser, 'reopened-360px', 'about:blank', { viewport: PHONE }, async (session) => {
      const { page } = session;
      const calls: string[] = [];
      page.on('request', (r) => calls.push(`${r.method()} ${new URL(r.url()).pathname}`));
      await page.goto(`${runtime.endpoints.http}/?onboarding=${onboardingId}`);
      await expectText(page.locator('#status'), 'Done: your solution is ready.');
      await expectText(page.locator('#onboarding-id'), onboardingId);
      await expectText(rows(page).locator('.app-name'), app.name);
      await expectText(rows(page).locator('.solution-id'), solutionId);
      await expectText(rows(page).locator('.state-label'), 'Accepted, ready to use');
      expect(await rows(page).locator('details.snippet').evaluate((details) => (details as HTMLDetailsElement).open)).toBe(true);
      expect(await rows(page).locator('.snippet-code').textContent()).toContain(`solutionID: '${solutionId}'`);
      // No login: the status was only read.
      expect(await page.locator('#fb-sim-consent').count()).toBe(0);
      expect(calls.filter((c) => c.includes('/api/') || c.includes('/__sim/'))).toEqual([`GET /api/onboardings/${onboardingId}`]);
      expect(await hasNoHorizontalScroll(page)).toBe(true);
      await screenshot(page, 'reopened-360px');

      // From there, a new onboarding starts as usual.
      await pageReady(page);
      await launch(page).click();
      await cancelConsent(page);
      await expectText(problem(page).getByRole('heading'), 'You closed the Facebook window');
      expectNoPageErrors(session);
    });
  }, 30_000);

  test('under an accepted solution, the businesses that joined through it: none yet, then the count each time the status is read again', async () => {
    const userId = '2000000000000078';
    const app = { id: '634974688087078', name: 'media_monsoon_clients' };
    await pipeline.simulator('POST', '/__sim/tech-providers', { userId, name: 'Monsoon Clients (Tech Provider)', apps: [app] });
    // Clients recorded as the webhook records them, straight into the runtime's table.
    const clients = dynamoClientStore(pipeline.db, runtime.endpoints.tableName);
    let onboardingId = '';
    const join = async (solutionId: string, wabaId: string) => {
      const at = new Date().toISOString();
      const client: ClientRecord = { solutionId, wabaId, ownerBusinessId: `9${wabaId}`, appId: app.id, onboardingId, status: 'NEW', toldBy: { PARTNER_ADDED: at }, createdAt: at, updatedAt: at };
      expect(await clients.recordNewClient(client)).toBe('recorded');
    };
    const joined = (page: Page) => rows(page).locator('.clients-joined');

    await withPage(browser, 'clients-joined', runtime.endpoints.http, { viewport: DESKTOP }, async (session) => {
      const { page } = session;
      await pageReady(page);
      await rewriteConsent(page, { userId, appIds: [app.id] });
      const started = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/onboardings'));
      await consent(page, { apps: [] });
      ({ onboardingId } = (await (await started).json()) as { onboardingId: string });
      await page.locator('#solutions > li[data-status="ACCEPTED"]').waitFor({ timeout: 25_000 });
      await expectText(joined(page), 'No businesses have joined through this solution yet.');
      const solutionId = (await rows(page).locator('.solution-id').textContent()) ?? '';

      await join(solutionId, '7100000000000001');
      const announcements = await recordAnnouncements(page, '#announcer');
      await page.getByRole('button', { name: 'Check the status again' }).click();
      await expectText(joined(page), '1 business has joined through this solution.');
      expect(await announcements()).toContain(`${app.name}: Accepted, ready to use. 1 business has joined through this solution.`);

      // One more joins, and one leaves again (the client unshared its WABA): it no longer counts.
      await join(solutionId, '7100000000000002');
      await join(solutionId, '7100000000000003');
      expect(await clients.recordRemoved({ solutionId, wabaId: '7100000000000003' }, 'PARTNER_REMOVED', new Date(), new Date())).toBe(true);
      expectNoPageErrors(session);
    });

    await withPage(browser, 'clients-joined-360px', 'about:blank', { viewport: PHONE }, async (session) => {
      const { page } = session;
      await page.goto(`${runtime.endpoints.http}/?onboarding=${onboardingId}`);
      await expectText(joined(page), '2 businesses have joined through this solution.');
      expect(await hasNoHorizontalScroll(page)).toBe(true);
      await screenshot(page, 'clients-joined-360px');
      expectNoPageErrors(session);
    });
  }, 30_000);

  test('a link with a malformed onboarding ID shows the usual page; an unknown one says it cannot be found', async () => {
    await withPage(browser, 'reopen-unknown', 'about:blank', { viewport: DESKTOP }, async (session) => {
      const { page } = session;
      const apiCalls: string[] = [];
      page.on('request', (r) => r.url().includes('/api/') && apiCalls.push(`${r.method()} ${new URL(r.url()).pathname}`));
      await page.goto(`${runtime.endpoints.http}/?onboarding=not-an-onboarding`);
      await pageReady(page);
      expect(await page.locator('#progress').isVisible()).toBe(false);
      expect(apiCalls).toEqual([]);

      const unknown = '00000000-0000-4000-8000-0000000000ff';
      await page.goto(`${runtime.endpoints.http}/?onboarding=${unknown}`);
      await expectText(problem(page).getByRole('heading'), 'We cannot find this onboarding');
      await expectText(page.locator('#onboarding-id'), unknown);
      expect(apiCalls).toEqual([`GET /api/onboardings/${unknown}`]);
      expectNoPageErrors(session);
      await screenshot(page, 'reopen-unknown');
    });
  }, 30_000);

  /**
   * Stood in: what may become of a solution after the accept (Meta's webhook or the poller), and the
   * check before the accept that found another solution than the one asked for.
   */
  const laterStatuses = [
    {
      name: 'deactivated',
      onboardingId: '00000000-0000-4000-8000-000000000010',
      first: 'ACCEPTED',
      later: { status: 'DEACTIVATED' },
      label: 'Deactivated, no longer usable',
      text: /^This solution was deactivated on Facebook and can no longer be used\. .*Launch Solution Creation.*contact support/,
      summary: 'Your solution is no longer ready to use: see below.',
    },
    {
      name: 'pending-deactivation',
      onboardingId: '00000000-0000-4000-8000-000000000011',
      first: 'ACCEPTED',
      later: { status: 'PENDING_DEACTIVATION' },
      label: 'Deactivation requested',
      text: /^A deactivation of this solution was requested on Facebook\. Until it is decided, the solution still onboards your customers/,
      summary: 'Your solution is no longer ready to use: see below.',
    },
    {
      name: 'rejected',
      onboardingId: '00000000-0000-4000-8000-000000000012',
      first: 'ACCEPTED',
      later: { status: 'REJECTED' },
      label: 'Declined, no longer usable',
      text: /^This solution was declined on Facebook and can no longer be used\. .*Launch Solution Creation/,
      summary: 'Your solution is no longer ready to use: see below.',
    },
    {
      name: 'solution-mismatch',
      onboardingId: '00000000-0000-4000-8000-000000000013',
      // Found before the accept: it never was usable.
      first: 'CREATED',
      later: {
        status: 'ACCEPT_FAILED',
        error: {
          code: 0,
          reason: 'SOLUTION_MISMATCH',
          message: 'owner_app: expected 634974688087057, found 634974688087099',
          differences: [{ field: 'owner_app', expected: '634974688087057', actual: '634974688087099' }],
        },
      },
      label: 'Created, not accepted',
      text: /^We did not accept this solution: on Facebook it is not the solution we asked for.*Nothing was accepted\. Contact support and quote the onboarding reference\.$/,
      detail: 'What we found: owner_app: expected 634974688087057, found 634974688087099',
      summary: 'Finished, but no solution could be set up: see below.',
    },
  ];

  test.each(laterStatuses)('$name: read again, the row says so in plain words and offers no code, also when opened from its link', async ({ name, onboardingId, first, later, label, text, detail, summary }) => {
    await withPage(browser, `lifecycle-${name}`, runtime.endpoints.http, { viewport: PHONE }, async (session) => {
      const { page } = session;
      const firstAnswer = first === 'ACCEPTED' ? { status: 'COMPLETED', solutions: [{ ...PROD_SOLUTION, status: 'ACCEPTED' }] } : { status: 'IN_PROGRESS', solutions: [{ ...PROD_SOLUTION, status: 'CREATED' }] };
      const polls = await standInOnboarding(page, onboardingId, (poll) => ({ json: poll === 1 ? firstAnswer : { status: 'FAILED', solutions: [{ ...PROD_SOLUTION, ...later }] } }));
      const posts: string[] = [];
      page.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/api/onboardings') && posts.push(r.url()));
      await pageReady(page);
      const announcements = await recordAnnouncements(page, '#announcer');
      await consent(page, { apps: [PROD] });
      const row = rows(page).first();
      const checkAgain = page.getByRole('button', { name: 'Check the status again' });
      if (first === 'ACCEPTED') {
        await expectText(page.locator('#status'), 'Done: your solution is ready.');
        await expectText(row.locator('.snippet-code'), new RegExp(`solutionID: '${PROD_SOLUTION.solutionId}'`));
        await checkAgain.click();
      }
      await expectText(row.locator('.state-label'), label);
      await expectText(row.locator('.failure-text'), text);
      await expectText(row.locator('.failure-detail'), detail ?? '');
      await expectText(page.locator('#status'), summary);
      // The ID stays, for support; nothing to copy, and no code to launch Embedded Signup with.
      await expectText(row.locator('.solution-id'), PROD_SOLUTION.solutionId);
      expect(await row.locator('.snippet').isVisible()).toBe(false);
      expect(await row.locator('.snippet-code').textContent()).toBe('');
      expect(await row.getByRole('button').count()).toBe(0);
      expect(await announcements()).toContainEqual(expect.stringContaining(`media_monsoon_prod: ${label}`));
      // Read once more: nothing changed, and the page says so; focus stays on the button.
      await checkAgain.click();
      await expectText(page.locator('#announcer'), 'Checked again: nothing has changed.');
      expect(await isFocused(checkAgain)).toBe(true);
      expect(await hasNoHorizontalScroll(page)).toBe(true);
      await screenshot(page, `lifecycle-${name}-360px`);

      // Opened again from its link: the status as it is now, no code, no login.
      const reads = polls();
      await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: "Link to this onboarding's status" }).click()]);
      await expectText(row.locator('.state-label'), label);
      expect(polls()).toBe(reads + 1);
      await expectText(page.locator('#onboarding-id'), onboardingId);
      await expectText(row.locator('.failure-text'), text);
      expect(await row.locator('.snippet').isVisible()).toBe(false);
      expect(await row.getByRole('button').count()).toBe(0);
      expect(await page.locator('#fb-sim-consent').count()).toBe(0);
      expect(posts).toHaveLength(1);
      expectNoPageErrors(session);
    });
  }, 30_000);

  test('under the deployed Content-Security-Policy the page starts, opens the login and shows a problem without a violation', async () => {
    // A document the test fulfils has no network origin, so Chromium's Local Network Access check
    // would stop it reaching the simulator on loopback; served by the runtime it needs no permission.
    await withPage(browser, 'under-csp', 'about:blank', { viewport: DESKTOP, permissions: ['local-network-access'] }, async (session) => {
      const { page } = session;
      const { sdkUrl } = (await (await fetch(`${runtime.endpoints.http}/config.json`)).json()) as { sdkUrl: string };
      // CloudFront's policy for this SDK URL; the stand-in also calls the simulator, where Facebook's SDK calls facebook.com.
      const policy = contentSecurityPolicy(sdkUrl).replace("connect-src 'self'", `connect-src 'self' ${new URL(sdkUrl).origin}`);
      await page.route(`${runtime.endpoints.http}/`, async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': policy } });
      });
      await page.addInitScript(() => {
        const seen: string[] = ((window as unknown as { violations: string[] }).violations = []);
        document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.sourceFile} ${e.sample}`));
      });
      await page.goto(runtime.endpoints.http);
      await pageReady(page);
      await launch(page).click();
      await cancelConsent(page);
      await expectText(problem(page).getByRole('heading'), 'You closed the Facebook window');
      const violations = await page.evaluate(() => (window as unknown as { violations: string[] }).violations);
      // The local stand-in's dialog styles itself inline (Facebook's real dialog is a popup, not on
      // this page): only those style violations are expected; anything else from the SDK must pass.
      expect(violations.filter((v) => !(v.startsWith('style-src') && v.includes(sdkUrl)))).toEqual([]);
      expectNoPageErrors(session);
      await screenshot(page, 'under-csp');
    });
  }, 30_000);

  /** Each refusal happens before anything is created, so these may all use the same app. */
  const failures: { name: string; title: string; text: RegExp; arrange?: (page: Page) => Promise<void>; choice: { apps: string[]; grant?: boolean } }[] = [
    {
      name: 'permission-declined',
      title: 'The permission we need was not allowed',
      text: /keep “manage_app_solution” allowed/,
      choice: { apps: [PROD], grant: false },
    },
    { name: 'no-app-selected', title: 'No app was selected', text: /select at least one app/, choice: { apps: [] } },
    {
      name: 'login-expired',
      title: 'Your Facebook login has expired',
      text: /log in afresh/,
      // The dialog hands over a token whose lifetime is already over by the time it reaches us.
      arrange: (page) => rewriteConsent(page, { expiresInSeconds: -60 }),
      choice: { apps: [PROD] },
    },
    {
      name: 'login-for-another-app',
      title: 'That Facebook login was for another app',
      text: /button on this page/,
      arrange: (page) => rewriteConsent(page, { forAppId: '1999999999999999' }),
      choice: { apps: [PROD] },
    },
    {
      name: 'network-error',
      title: 'We could not reach our server',
      text: /Check your internet connection/,
      arrange: (page) => page.route('**/api/onboardings', (route) => route.abort('internetdisconnected')).then(() => undefined),
      choice: { apps: [PROD] },
    },
    // Intake takes a click whose check Graph throttles or fails (VERIFYING): these two answers are the
    // contract's still, so the page explains them, stood in front of the API.
    {
      name: 'graph-unavailable-503',
      title: 'Facebook is not answering right now',
      text: /try again in 5 seconds/,
      // The first POST and the page's three retries of it.
      arrange: (page) =>
        page
          .route('**/api/onboardings', (route) =>
            route.fulfill({ status: 503, headers: { 'retry-after': '5' }, json: { error: { code: 'GRAPH_UNAVAILABLE', message: 'Facebook is not answering right now.' } } }),
          )
          .then(() => undefined),
      choice: { apps: [PROD] },
    },
    {
      name: 'graph-throttled-429',
      title: 'Facebook asks us to slow down',
      // An estimate longer than the page's own waits: the Tech Provider's to take.
      text: /try again in 1 minute\./,
      arrange: (page) =>
        page
          .route('**/api/onboardings', (route) =>
            route.fulfill({ status: 429, headers: { 'retry-after': '60' }, json: { error: { code: 'GRAPH_THROTTLED', message: 'Facebook is rate-limiting us right now.' } } }),
          )
          .then(() => undefined),
      choice: { apps: [PROD] },
    },
    {
      name: 'api-gateway-throttled',
      title: 'Our server is busy right now',
      text: /try again in a minute/,
      // What API Gateway's stage throttle answers, before any function runs.
      arrange: (page) =>
        page.route('**/api/onboardings', (route) => route.fulfill({ status: 429, contentType: 'application/json', body: '{"message":"Too Many Requests"}' })).then(() => undefined),
      choice: { apps: [PROD] },
    },
  ];

  test.each(failures)('$name: its own message, and a retry', async ({ name, title, text, arrange, choice }) => {
    await withPage(browser, `error-${name}`, runtime.endpoints.http, { viewport: DESKTOP }, async (session) => {
      const { page } = session;
      await pageReady(page);
      await arrange?.(page);
      await consent(page, choice);
      await expectProblemWithRetry(page, `error-${name}`, title, text);
      expect(await page.locator('#progress').isVisible()).toBe(false);
      expectNoPageErrors(session);
    });
    // A POST without an answer, or answered 503, is retried by the page for about 7 s first.
  }, 30_000);

  test('without a usable config.json the page says it cannot start and offers a reload', async () => {
    await withPage(browser, 'no-config', 'about:blank', { viewport: DESKTOP }, async ({ page }) => {
      await page.route('**/config.json', (route) => route.fulfill({ status: 404, body: 'Not Found' }));
      await page.goto(runtime.endpoints.http);
      await expectText(problem(page).getByRole('heading'), 'This page could not start');
      await expectText(problem(page).getByRole('button'), 'Reload the page');
      expect(await launch(page).isDisabled()).toBe(true);
      await screenshot(page, 'no-config');
    });
  }, 30_000);
});
