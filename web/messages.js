// What the page says, in plain words, with what to do next. Error codes come from the API's error
// bodies (docs/design.md §3) and from the Graph errors kept on failed solutions.

import { ApiError } from './api.js';
import { LoginNotCompleted } from './facebook.js';

export const PROGRESS = {
  loading: 'Loading the Facebook login…',
  inFacebook: 'Waiting for you to finish in the Facebook window…',
  checkingLogin: 'Checking your login and the apps you selected…',
  // Short: like the summary, it must fit the status line's two reserved lines at 360 px.
  verifying: 'Facebook is busy. We check your login once it lets us, even if you close this page.',
  working: 'Creating and accepting your solutions…',
  reading: 'Reading the status of this onboarding…',
  // Short: like the summary, it must fit the status line's two reserved lines at 360 px.
  retrying: 'Facebook is slow or limiting us right now. We keep trying on our own, even if you close this page.',
};

/** Announced when "Check the status again" finds everything as it was. */
export const NOTHING_CHANGED = 'Checked again: nothing has changed.';

/** While a POST that got no answer (or "try again") is retried with the same login. */
export function retryingStart(seconds) {
  return `Facebook or our server is slow to answer; trying again in ${waitText(seconds)}…`;
}

/** A solution whose last attempt failed and that the pipeline retries: attempts so far and the next try. */
export function retryNote(solution) {
  const next = solution.nextAttemptAt ? new Date(solution.nextAttemptAt) : undefined;
  const when = next && next.getTime() > Date.now() ? ` Next try around ${next.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}.` : '';
  const attempts = solution.attempts > 1 ? ` (${solution.attempts} tries so far)` : '';
  return `Facebook did not answer this step yet${attempts}; we keep trying.${when}`;
}

/**
 * How many businesses joined through a usable solution and are still with it (the API's `clients`).
 * None yet is said too: it tells the Tech Provider the count is there and will grow.
 */
export function clientsJoined(count) {
  if (count === 0) return 'No businesses have joined through this solution yet.';
  return count === 1 ? '1 business has joined through this solution.' : `${count} businesses have joined through this solution.`;
}

const LOGIN_PROBLEMS = {
  cancelled: {
    title: 'You closed the Facebook window',
    text: 'Nothing was set up. Try again when you are ready and finish the steps in the Facebook window.',
  },
  not_authorized: {
    title: 'Our app was not connected',
    text: 'Nothing was set up. Facebook needs your go-ahead before we can create the solutions: try again and choose Continue.',
  },
};

const NOTHING_SET_UP = 'Nothing was set up.';

/** By API error code; `text` may depend on the error (its Retry-After or the server's sentence). */
const API_PROBLEMS = {
  PERMISSION_NOT_GRANTED: {
    title: 'The permission we need was not allowed',
    text: `${NOTHING_SET_UP} Try again and keep “manage_app_solution” allowed in the Facebook window: it only lets us create solutions for the apps you select.`,
  },
  NO_APP_SELECTED: {
    title: 'No app was selected',
    text: `${NOTHING_SET_UP} Try again and select at least one app in the Facebook window.`,
  },
  TOO_MANY_APPS: {
    title: 'Too many apps at once',
    text: (error) => `${NOTHING_SET_UP} ${error.message || 'Try again with fewer apps selected.'} You can connect the others in a second round.`,
  },
  INVALID_TOKEN: {
    title: 'Your Facebook login has expired',
    text: `It expired or was revoked before we could use it. ${NOTHING_SET_UP} Try again to log in afresh.`,
  },
  // Only ever an onboarding's status: its check waited for Facebook longer than the login lasted.
  TOKEN_EXPIRED: {
    title: 'Your Facebook login expired before we could check it',
    text: `Facebook was too busy for us to check it in time. ${NOTHING_SET_UP} Try again to log in afresh.`,
  },
  TOKEN_FOR_ANOTHER_APP: {
    title: 'That Facebook login was for another app',
    text: `${NOTHING_SET_UP} Try again with the button on this page, so that Facebook issues the login for us.`,
  },
  MISSING_TOKEN: {
    title: 'Facebook did not give us your login',
    text: `${NOTHING_SET_UP} Try again and finish the steps in the Facebook window.`,
  },
  GRAPH_THROTTLED: {
    title: 'Facebook asks us to slow down',
    text: (error) => `${NOTHING_SET_UP} Please try again in ${waitText(error.retryAfterSeconds)}.`,
  },
  // API Gateway's own throttle (the stage's rate limit) answers 429 without our error body.
  HTTP_429: {
    title: 'Our server is busy right now',
    text: (error) => `${NOTHING_SET_UP} Please try again in ${waitText(error.retryAfterSeconds)}.`,
  },
  GRAPH_UNAVAILABLE: {
    title: 'Facebook is not answering right now',
    text: (error) => `${NOTHING_SET_UP} Please try again in ${waitText(error.retryAfterSeconds)}.`,
  },
  GRAPH_ERROR: {
    title: 'Facebook refused the request',
    text: `${NOTHING_SET_UP} Try again; if it keeps failing, contact support.`,
  },
  ONBOARDING_NOT_FOUND: {
    title: 'We cannot find this onboarding',
    text: 'Contact support and quote the onboarding reference shown below.',
  },
  NETWORK_ERROR: {
    title: 'We could not reach our server',
    text: 'Check your internet connection, then try again.',
  },
};

/** The API's error codes this page explains (and its own two): test/unit/page-contract.test.ts checks them against the server's. */
export const EXPLAINED_ERROR_CODES = Object.keys(API_PROBLEMS);

const SERVER_PROBLEM = { title: 'Something went wrong on our side', text: 'Try again in a minute; if it keeps failing, contact support.' };
const REQUEST_PROBLEM = { title: 'Our server could not use this request', text: 'Reload the page and try again; if it keeps happening, contact support.' };
const LOST_CONTACT = {
  title: 'We lost contact with our server',
  text: 'Your solutions are still being set up on our side. Check your internet connection, then check again.',
};

/**
 * The problem to show for an error of the flow, and how to retry: `login` runs the Facebook login
 * again, `poll` checks the onboarding's status again, `reload` reloads the page.
 * `phase` is `start` (login and POST) or `poll` (following an onboarding that exists).
 */
export function describeProblem(error, phase) {
  if (error instanceof LoginNotCompleted) return { ...LOGIN_PROBLEMS[error.outcome], retry: 'login' };
  if (!(error instanceof ApiError)) return { ...SERVER_PROBLEM, detail: error?.message, retry: 'login' };
  const detail = error.status ? `Code for support: ${error.code} (HTTP ${error.status}).` : undefined;
  if (phase === 'poll' && error.isTransient) return { ...LOST_CONTACT, detail, retry: 'poll' };
  const known = API_PROBLEMS[error.code] ?? (error.status >= 500 ? SERVER_PROBLEM : REQUEST_PROBLEM);
  const text = typeof known.text === 'function' ? known.text(error) : known.text;
  return { title: known.title, text, detail, retry: known === REQUEST_PROBLEM ? 'reload' : 'login' };
}

/**
 * An onboarding whose login the API checked after taking it (status FAILED with a top-level `error`,
 * the code and sentence the POST would have answered): explained as that POST's answer would be.
 */
export function verificationProblem(error) {
  const known = API_PROBLEMS[error.code] ?? { title: 'We could not check your Facebook login', text: `${NOTHING_SET_UP} Try again; if it keeps failing, contact support.` };
  const text = typeof known.text === 'function' ? known.text({ ...error, retryAfterSeconds: undefined }) : known.text;
  return { title: known.title, text, detail: `Code for support: ${error.code}.`, retry: 'login' };
}

/** The page could not load its config or the Facebook SDK. */
export function startupProblem(error) {
  return {
    title: 'This page could not start',
    text: 'Reload the page. If it keeps happening, check that no browser extension blocks connect.facebook.net, or contact support.',
    detail: error?.message,
    retry: 'reload',
  };
}

export function reconnecting(seconds) {
  return `We lost contact with our server; checking again in ${waitText(seconds)}…`;
}

function waitText(seconds) {
  if (!(seconds > 0)) return 'a minute';
  if (seconds < 60) return seconds === 1 ? '1 second' : `${Math.ceil(seconds)} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

const isPermissionCode = (code) => code === 10 || (code >= 200 && code <= 299);

const RUN_AGAIN = 'To use this app, click Launch Solution Creation to create a new solution for it, or contact support with the onboarding reference.';

/** After the accept, Meta (or the solution's owner) moved the solution on: it is no longer what was set up. */
const LATER_STATUS_PROBLEMS = {
  REJECTED: `This solution was declined on Facebook and can no longer be used. ${RUN_AGAIN}`,
  PENDING_DEACTIVATION:
    'A deactivation of this solution was requested on Facebook. Until it is decided, the solution still onboards your customers, but do not set it up anywhere new. Contact support with the onboarding reference if you did not expect this.',
  DEACTIVATED: `This solution was deactivated on Facebook and can no longer be used. ${RUN_AGAIN}`,
};

/** The pipeline's own conclusions (a failed solution's `error.reason`), besides SOLUTION_MISMATCH, which has its own detail. */
const REASON_TEXTS = {
  CREATE_ABANDONED:
    'We could not create this solution in time, and we no longer hold your Facebook login: nothing was set up for this app. Click Launch Solution Creation again and select this app.',
  AMBIGUOUS_ON_GRAPH: 'Facebook shows something unexpected for this solution, so we did not use it. Contact support and quote the onboarding reference.',
  RETRY_PERIOD_OVER:
    'Facebook kept failing to accept this solution for a whole day. We are on it; if this app is not ready within a working day, contact support with the onboarding reference.',
};

/** The statuses and failure reasons explained by name: test/unit/page-contract.test.ts checks them against the server's. */
export const EXPLAINED_STATUSES = Object.keys(LATER_STATUS_PROBLEMS);
export const EXPLAINED_REASONS = ['SOLUTION_MISMATCH', ...Object.keys(REASON_TEXTS)];

/**
 * Why a solution did not succeed and what to do, from the Graph error kept on it: an expired login
 * is for the Tech Provider to fix; a permission error is ours (our system user or app setup).
 * `detail` holds what support needs: Facebook's own message and its trace ID, or what we found.
 */
export function solutionProblem(solution) {
  if (LATER_STATUS_PROBLEMS[solution.status]) return { text: LATER_STATUS_PROBLEMS[solution.status] };
  const error = solution.error ?? {};
  if (error.reason === 'SOLUTION_MISMATCH') {
    return {
      text: 'We did not accept this solution: on Facebook it is not the solution we asked for, and an accepted solution cannot be taken back. Nothing was accepted. Contact support and quote the onboarding reference.',
      // The pipeline's own finding (the differences), not Facebook's words.
      detail: error.message ? `What we found: ${error.message}` : '',
    };
  }
  const text = failureText(error);
  const detail = [error.message && `Facebook said: ${error.message}`, error.fbtraceId && `Facebook trace ID: ${error.fbtraceId}`].filter(Boolean).join(' · ');
  return { text, detail };
}

/** What to do about a failed solution: the pipeline's conclusion first, then Graph's error code. */
function failureText(error) {
  if (REASON_TEXTS[error.reason]) return REASON_TEXTS[error.reason];
  if (error.code === 190) return 'Your Facebook login expired before this step. Click Launch Solution Creation again and select this app.';
  if (isPermissionCode(error.code)) {
    return 'A permission problem on our side stopped this step. We are on it; if this app is not ready within a working day, contact support with the onboarding reference.';
  }
  return 'Facebook could not complete this step. Contact support and quote the onboarding reference.';
}

/**
 * Once every app is final; `ended`: how many were usable and moved on since (declined, deactivated,
 * deactivation requested). Short: it must fit the status line's two reserved lines at 360 px.
 */
export function summary(ready, total, ended = 0) {
  if (ready === total) return total === 1 ? 'Done: your solution is ready.' : `Done: all ${total} solutions are ready.`;
  if (ready === 0 && ended > 0) return total === 1 ? 'Your solution is no longer ready to use: see below.' : 'None of your solutions is ready to use now: see below.';
  if (ready === 0) return 'Finished, but no solution could be set up: see below.';
  return `Finished: ${ready} of ${total} solutions are ready; see below.`;
}
