import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';

/** Screenshots of the e2e tests (gitignored; docs/onboarding-complete.png is copied from here). */
export const ARTIFACTS_DIR = resolve(import.meta.dirname, '../../test-artifacts/e2e');

const CHROME_PATH = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const INSTALL_HINT = 'Install it with `apt-get install -y chromium` (Debian), or point CHROME_PATH at a Chromium binary.';

/** Debian's chromium, driven by playwright-core: no browser is ever downloaded. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROME_PATH)) throw new Error(`The browser tests need Chromium, and there is none at ${CHROME_PATH}. ${INSTALL_HINT}`);
  try {
    return await chromium.launch({
      executablePath: CHROME_PATH,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  } catch (error) {
    throw new Error(`Chromium at ${CHROME_PATH} did not start. ${INSTALL_HINT}\n${(error as Error).message}`);
  }
}

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 360, height: 780 };

export interface PageSession {
  page: Page;
  /** Everything the page printed to its console, and its uncaught errors. */
  console: string[];
  pageErrors: Error[];
}

/** Saves a full-page screenshot as `ARTIFACTS_DIR/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/**
 * Runs `body` on a fresh page (own context: no cookies or storage from another test) at `url`;
 * when it fails, saves a screenshot of the page as it was, named after `name`.
 */
export async function withPage(
  browser: Browser,
  name: string,
  url: string,
  options: BrowserContextOptions,
  body: (session: PageSession) => Promise<void>,
): Promise<void> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const session: PageSession = { page, console: [], pageErrors: [] };
  page.on('console', (message) => session.console.push(message.text()));
  page.on('pageerror', (error) => session.pageErrors.push(error));
  try {
    await page.goto(url);
    await body(session);
  } catch (error) {
    await screenshot(page, `${name}-failed`).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
}

/** Waits until the element's text matches, as Playwright Test's `toHaveText` would, then asserts it. */
export async function expectText(locator: Locator, expected: string | RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const matches = (text: string) => (typeof expected === 'string' ? text === expected : expected.test(text));
  let text = '';
  do {
    text = ((await locator.textContent({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => null)) ?? '').trim();
    if (matches(text)) return;
    await sleep(100);
  } while (Date.now() < deadline);
  if (typeof expected === 'string') expect(text).toBe(expected);
  else expect(text).toMatch(expected);
}

/** Whether the element has the keyboard focus. */
export const isFocused = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);
