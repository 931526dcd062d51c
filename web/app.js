// The onboarding page: Facebook login, then the pipeline's API, then each app's solution until final.
// The Tech Provider's token lives only inside logInAndStart() for the one POST: never in the DOM,
// the URL, storage or the console.

import { createApi } from './api.js';
import { loadFacebookSdk, logIn } from './facebook.js';
import { follow } from './follow.js';
import { describeProblem, PROGRESS, reconnecting, retryingStart, startupProblem, summary } from './messages.js';
import { createSolutionList, isReady, isRetrying } from './status-view.js';

const byId = (id) => document.getElementById(id);
const launch = byId('launch');
const statusLine = byId('status');
const problemBox = byId('problem');
const progress = byId('progress');
const announcer = byId('announcer');
const solutions = createSolutionList({ list: byId('solutions'), template: byId('solution-row'), announce });

const CONFIG_KEYS = ['appId', 'sdkUrl', 'graphApiVersion', 'apiBase'];
const RETRY_LABELS = { login: 'Try again', poll: 'Check again', reload: 'Reload the page' };

let api;
let busy = false;

function say(text) {
  // Rewriting the same text would make some screen readers read it again on every poll.
  if (statusLine.textContent !== text) statusLine.textContent = text;
}

function announce(text) {
  announcer.textContent = text;
}

/** While busy the button stays focusable (aria-disabled, not disabled) so that focus is not lost. */
function setBusy(value) {
  busy = value;
  launch.setAttribute('aria-disabled', String(value));
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

/** Returns once the POST is answered: the token is then out of reach of everything else on the page. */
async function logInAndStart() {
  const login = logIn();
  say(PROGRESS.inFacebook);
  const accessToken = await login;
  say(PROGRESS.checkingLogin);
  return api.startOnboarding(accessToken, (seconds) => say(retryingStart(seconds)));
}

function onLaunch() {
  if (busy) return;
  begin();
  // No await before logIn(): FB.login must run within the click, or the browser blocks its popup.
  logInAndStart().then(
    (started) => {
      byId('onboarding-id').textContent = started.onboardingId;
      solutions.reset();
      solutions.update(started.apps.map((app) => ({ appId: app.appId, appName: app.name, status: 'PENDING' })));
      progress.hidden = false;
      byId('progress-title').focus();
      return track(started.onboardingId);
    },
    (error) => showProblem(describeProblem(error, 'start'), onLaunch),
  );
}

async function track(onboardingId) {
  begin();
  say(PROGRESS.working);
  try {
    const settled = await follow(() => api.getOnboarding(onboardingId), {
      onUpdate: (onboarding) => {
        solutions.update(onboarding.solutions);
        // A failed attempt on the record: Facebook is slow or limiting us, and the pipeline retries on its own.
        say(onboarding.solutions.some(isRetrying) ? PROGRESS.retrying : PROGRESS.working);
      },
      onTrouble: (seconds) => say(reconnecting(seconds)),
    });
    say(summary(settled.solutions.filter((s) => isReady(s.status)).length, settled.solutions.length));
    setBusy(false);
  } catch (error) {
    showProblem(describeProblem(error, 'poll'), () => track(onboardingId));
  }
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
  await loadFacebookSdk(config);
  launch.addEventListener('click', onLaunch);
  launch.disabled = false;
  say('');
} catch (error) {
  showProblem(startupProblem(error));
}
