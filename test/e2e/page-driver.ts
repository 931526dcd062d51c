import type { Page } from 'playwright-core';
import { expectText, isFocused, screenshot, type PageSession } from './browser';

/** The onboarding page (web/) and the JS SDK stand-in's consent dialog, as the browser tests use them. */

export const launch = (page: Page) => page.locator('#launch');
export const rows = (page: Page) => page.locator('#solutions > li');
export const problem = (page: Page) => page.getByRole('alert');

export async function pageReady(page: Page): Promise<void> {
  await page.locator('#launch:enabled').waitFor();
}

/** Clicks the button and answers the stand-in's consent dialog as a Tech Provider would. */
export async function consent(page: Page, choice: { apps: string[]; grant?: boolean }): Promise<void> {
  await launch(page).click();
  await page.locator('#fb-sim-consent').waitFor();
  for (const app of choice.apps) await page.locator(`#fb-sim-app-${app}`).check();
  if (choice.grant === false) await page.locator('#fb-sim-grant').uncheck();
  await page.locator('#fb-sim-continue').click();
}

export async function cancelConsent(page: Page): Promise<void> {
  await page.locator('#fb-sim-consent').waitFor();
  await page.locator('#fb-sim-cancel').click();
  await page.locator('#fb-sim-consent').waitFor({ state: 'detached' });
}

/**
 * The problem shown in the alert (saved as screenshot `name`), its retry button focused; the retry
 * opens the Facebook dialog again.
 */
export async function expectProblemWithRetry(page: Page, name: string, title: string, text: RegExp): Promise<void> {
  // A POST that got no answer, or "try again", is first retried by the page itself (about 7 s in all).
  await expectText(problem(page).getByRole('heading'), title, 20_000);
  expect(await problem(page).textContent()).toMatch(text);
  await screenshot(page, name);
  const retry = problem(page).getByRole('button', { name: 'Try again' });
  expect(await isFocused(retry)).toBe(true);
  await retry.click();
  await cancelConsent(page);
  await expectText(problem(page).getByRole('heading'), 'You closed the Facebook window');
}

export interface RowBox {
  status: string;
  top: number;
  height: number;
}

/** Where each app's row is and how tall, every time a status changes on the page. */
export async function recordRowBoxes(page: Page): Promise<() => Promise<Record<string, RowBox[]>>> {
  await page.evaluate(() => {
    const boxes: Record<string, RowBox[]> = ((window as unknown as { rowBoxes: Record<string, RowBox[]> }).rowBoxes = {});
    const list = document.getElementById('solutions')!;
    new MutationObserver(() => {
      list.querySelectorAll('li').forEach((row) => {
        const { top, height } = row.getBoundingClientRect();
        (boxes[row.querySelector('.app-name')!.textContent!] ??= []).push({ status: row.dataset.status!, top: top + window.scrollY, height });
      });
    }).observe(list, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
  });
  return () => page.evaluate(() => (window as unknown as { rowBoxes: Record<string, RowBox[]> }).rowBoxes);
}

/** Every text the live region `selector` held, in order. */
export async function recordAnnouncements(page: Page, selector: string): Promise<() => Promise<string[]>> {
  await page.evaluate((sel) => {
    const region = document.querySelector(sel)!;
    const heard: string[] = ((window as unknown as { heard: string[] }).heard = []);
    new MutationObserver(() => heard.push(region.textContent ?? '')).observe(region, { childList: true, characterData: true, subtree: true });
  }, selector);
  return () => page.evaluate(() => (window as unknown as { heard: string[] }).heard);
}

export async function hasNoHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

export function expectNoPageErrors(session: PageSession): void {
  expect(session.pageErrors).toEqual([]);
}

/** Changes what the consent dialog asks the simulator for, as a real login could turn out. */
export async function rewriteConsent(page: Page, extra: Record<string, unknown>): Promise<void> {
  await page.route('**/__sim/consent', async (route) => {
    const request = route.request();
    if (request.method() !== 'POST') return route.continue();
    await route.continue({ postData: JSON.stringify({ ...request.postDataJSON(), ...extra }) });
  });
}
