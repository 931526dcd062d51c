// The onboarding page: Facebook login, then the pipeline's API, then each app's solution until final.
// The Tech Provider's token lives only inside logInAndStart() for the one POST: never in the DOM,
// the URL, storage or the console. The URL holds the onboarding's ID instead (`?onboarding=<id>`):
// opened again, the page follows that onboarding without a login.

import { createApi } from './api.js';
import { loadFacebookSdk, logIn } from './facebook.js';
import { follow } from './follow.js';
import { describeProblem, NOTHING_CHANGED, PROGRESS, reconnecting, retryingStart, startupProblem, summary, verificationProblem } from './messages.js';
import { createSolutionList, isNoLongerActive, isReady, isRetrying } from './status-view.js';

const byId = (id) => document.getElementById(id);
const launch = byId('launch');
const statusLine = byId('status');
const problemBox = byId('problem');
const progress = byId('progress');
const announcer = byId('announcer');
const checkAgain = byId('check-again');
const solutions = createSolutionList({ list: byId('solutions'), template: byId('solution-row'), announce });

const CONFIG_KEYS = ['appId', 'sdkUrl', 'graphApiVersion', 'apiBase'];
const RETRY_LABELS = { login: 'Try again', poll: 'Check again', reload: 'Reload the page' };
const ONBOARDING_PARAM = 'onboarding';
/** The API's onboarding IDs are UUIDs; anything else in the URL is ignored. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let api;
let busy = false;
/** The onboarding the list shows. */
let shownOnboardingId;

function say(text) {
  // Rewriting the same text would make some screen readers read it again on every poll.
  if (statusLine.textContent !== text) statusLine.textContent = text;
}

function announce(text) {
  announcer.textContent = text;
}

/** While busy the buttons stay focusable (aria-disabled, not disabled) so that focus is not lost. */
function setBusy(value) {
  busy = value;
  launch.setAttribute('aria-disabled', String(value));
  checkAgain.setAttribute('aria-disabled', String(value));
}

function begin() {
  // The retry button that was just pressed is about to go away: keep focus on the page's own button.
  if (problemBox.contains(document.activeElement)) launch.focus();
  problemBox.replaceChildren();
  setBusy(true);
}

function showProblem(problem, retry) {
  const box = byId('problem-box').content.cloneNode(true);
  box.querySelector('.problem-title').textContent = problem.title;
  box.querySelector('.problem-text').textContent = problem.text;
  box.querySelector('.problem-detail').textContent = problem.detail ?? '';
  const button = box.querySelector('.retry');
  button.textContent = RETRY_LABELS[problem.retry];
  button.addEventListener('click', problem.retry === 'reload' ? () => location.reload() : retry);
  say('');
  problemBox.replaceChildren(box);
  setBusy(false);
  problemBox.querySelector('.retry').focus();
}

/** The onboarding to follow from `?onboarding=<id>`, if that is an onboarding ID at all. */
function onboardingIdFromUrl() {
  const id = new URLSearchParams(location.search).get(ONBOARDING_PARAM);
  return id && UUID.test(id) ? id.toLowerCase() : undefined;
}

/**
 * Shows the results section for `onboardingId`: its reference and the link to open it again, which
 * also becomes the page's own URL (so a bookmark or a reload comes back to it). The ID only: the
 * token never gets near the URL.
 */
function showOnboarding(onboardingId) {
  if (shownOnboardingId !== onboardingId) solutions.reset();
  shownOnboardingId = onboardingId;
  const link = `${location.pathname}?${new URLSearchParams({ [ONBOARDING_PARAM]: onboardingId })}`;
  history.replaceState(null, '', link);
  byId('onboarding-id').textContent = onboardingId;
  byId('reopen-link').setAttribute('href', link);
  checkAgain.hidden = true;
  progress.hidden = false;
}

/** Returns once the POST is answered: the token is then out of reach of everything else on the page. */
async function logInAndStart() {
  const login = logIn();
  say(PROGRESS.inFacebook);
  const loggedIn = await login;
  say(PROGRESS.checkingLogin);
  return api.startOnboarding(loggedIn, (seconds) => say(retryingStart(seconds)));
}

function onLaunch() {
  if (busy) return;
  begin();
  // No await before logIn(): FB.login must run within the click, or the browser blocks its popup.
  logInAndStart().then(
    (started) => {
      solutions.reset();
      showOnboarding(started.onboardingId);
      solutions.update(started.apps.map((app) => ({ appId: app.appId, appName: app.name, status: 'PENDING' })));
      byId('progress-title').focus();
      // Facebook was too busy to check the login at once: the API took it, and checks it later.
      return track(started.onboardingId, started.status === 'VERIFYING' ? PROGRESS.verifying : PROGRESS.working);
    },
    (error) => showProblem(describeProblem(error, 'start'), onLaunch),
  );
}

/**
 * Follows the onboarding until every app is final (`firstMessage` while the first answer is awaited).
 * Resolves with whether any app's status changed, or undefined when it ended with a problem shown.
 */
async function track(onboardingId, firstMessage) {
  begin();
  say(firstMessage);
  let changed = false;
  try {
    const settled = await follow(() => api.getOnboarding(onboardingId), {
      onUpdate: (onboarding) => {
        if (solutions.update(onboarding.solutions)) changed = true;
        if (onboarding.status === 'VERIFYING') say(PROGRESS.verifying);
        // A failed attempt on the record: Facebook is slow or limiting us, and the pipeline retries on its own.
        if (onboarding.status === 'IN_PROGRESS') say(onboarding.solutions.some(isRetrying) ? PROGRESS.retrying : PROGRESS.working);
      },
      onTrouble: (seconds) => say(reconnecting(seconds)),
    });
    // Its login's check failed: nothing was set up, and the Tech Provider logs in again (the
    // onboarding's reference stays shown, for support).
    if (settled.status === 'FAILED' && settled.error) {
      showProblem(verificationProblem(settled.error), onLaunch);
      return changed;
    }
    solutions.settle();
    const count = (test) => settled.solutions.filter((s) => test(s.status)).length;
    say(summary(count(isReady), settled.solutions.length, count(isNoLongerActive)));
    // Final now, but Facebook may still move a solution on (declined, deactivated): the page can read it again.
    checkAgain.hidden = false;
    setBusy(false);
    return changed;
  } catch (error) {
    showProblem(describeProblem(error, 'poll'), () => track(onboardingId, PROGRESS.reading));
    return undefined;
  }
}

async function onCheckAgain() {
  if (busy) return;
  if ((await track(shownOnboardingId, PROGRESS.reading)) === false) announce(NOTHING_CHANGED);
}

/** `/config.json`: generated at deploy time in AWS, served by the local runtime locally. */
async function loadConfig() {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}.`);
  const config = await response.json();
  const missing = CONFIG_KEYS.filter((key) => typeof config[key] !== 'string' || config[key] === '');
  if (missing.length > 0) throw new Error(`/config.json lacks ${missing.join(', ')}.`);
  return config;
}

try {
  say(PROGRESS.loading);
  const config = await loadConfig();
  api = createApi(config.apiBase);
  checkAgain.addEventListener('click', onCheckAgain);
  // Opened on an onboarding's link: follow it straight away, no login needed (nor the SDK).
  const reopened = onboardingIdFromUrl();
  if (reopened) {
    showOnboarding(reopened);
    void track(reopened, PROGRESS.reading);
  }
  await loadFacebookSdk(config);
  launch.addEventListener('click', onLaunch);
  launch.disabled = false;
  if (!reopened) say('');
} catch (error) {
  showProblem(startupProblem(error));
}
