import type { GraphClient, TechProviderApp, TokenDebugInfo } from '../graph/graph-client';
import { GraphError } from '../graph/graph-error';
import type { CreateSolutionQueue } from '../queue/create-solution-queue';
import { SCHEDULE } from '../schedule';
import { MAX_APPS_PER_ONBOARDING, type OnboardingRecords } from './records/ports';
import type { Onboarding, OnboardingRecord, SolutionRecord, VerificationError } from './records';
import { solutionName } from './solution-name';
import { tokenFingerprint } from './token-fingerprint';

export const REQUIRED_SCOPE = 'manage_app_solution';

/** What the check of a token finds wrong with the Tech Provider's request: intake answers it, a later check ends the onboarding with it. */
export type OnboardingRejection = 'INVALID_TOKEN' | 'TOKEN_FOR_ANOTHER_APP' | 'PERMISSION_NOT_GRANTED' | 'NO_APP_SELECTED' | 'TOO_MANY_APPS';

/** Graph's trouble, by its class: what intake answered before it deferred checks, and what a deferred check ends with on its last delivery. */
export type GraphTrouble = 'GRAPH_THROTTLED' | 'GRAPH_UNAVAILABLE' | 'GRAPH_ERROR';
/** Why the check could not be made: Graph's trouble, or the token's lifetime over. */
export type VerificationTrouble = GraphTrouble | 'TOKEN_EXPIRED';

/** Every code a token's check ends with, and the sentence the Tech Provider reads (the public error body's). */
export const VERIFICATION_MESSAGES: Readonly<Record<OnboardingRejection | VerificationTrouble, string>> = {
  INVALID_TOKEN: 'The Facebook login is no longer valid (expired or revoked). Run the flow again.',
  TOKEN_FOR_ANOTHER_APP: 'The Facebook login was made for a different app. Run the flow again from this page.',
  PERMISSION_NOT_GRANTED: `The ${REQUIRED_SCOPE} permission was not granted. Run the flow again and allow it.`,
  NO_APP_SELECTED: 'No app was selected in the Facebook dialog. Run the flow again and select at least one app.',
  TOO_MANY_APPS: `At most ${MAX_APPS_PER_ONBOARDING} apps can be onboarded at once. Run the flow again with fewer apps selected.`,
  GRAPH_THROTTLED: 'Facebook is rate-limiting us right now. Try again in a minute.',
  GRAPH_UNAVAILABLE: 'Facebook is not answering right now. Try again in a few seconds.',
  GRAPH_ERROR: 'Facebook refused the request. Try the flow again; if it keeps failing, contact support.',
  TOKEN_EXPIRED: 'Facebook was too busy for us to check your login before it expired. Nothing was set up. Run the flow again.',
};

/** The Tech Provider's request cannot be served as it is; the message is safe to show them. */
export class OnboardingRejected extends Error {
  override readonly name = 'OnboardingRejected';
  constructor(readonly code: OnboardingRejection) {
    super(VERIFICATION_MESSAGES[code]);
  }
}

/** The public code and sentence for a Graph error a check could not get past (a token or permission error is a rejection, never this). */
export function graphTrouble(error: GraphError): VerificationError & { code: GraphTrouble } {
  const code: GraphTrouble = error.errorClass === 'throttled' ? 'GRAPH_THROTTLED' : error.errorClass === 'transient' ? 'GRAPH_UNAVAILABLE' : 'GRAPH_ERROR';
  return { code, message: VERIFICATION_MESSAGES[code] };
}

/** Intake stops starting work it could not finish in time: the answer must come before the HTTP API gives up. */
export interface Deadline {
  /** Aborts the Graph calls under way when the deadline passes. */
  signal: AbortSignal;
  timeLeftMs: () => number;
}

/**
 * The time intake's writes (one transaction, then the messages in batches of 10) need, at most: its
 * Graph calls are cut off this long before its deadline, so that a VERIFYING onboarding can still be
 * written when Graph is too slow.
 */
export const WRITE_RESERVE_MS = SCHEDULE.intakeWriteReserveMs;

/** What a check of a token needs: Graph, who we are, and the app secret (debug_token's app token). */
export interface TokenCheckDeps {
  graph: Pick<GraphClient, 'debugToken' | 'listSelectedApps'>;
  settings: { partnerAppId: string; partnerName: string; solutionNameTemplate: string };
}

export interface StartOnboardingDeps extends TokenCheckDeps {
  store: OnboardingRecords;
  queue: CreateSolutionQueue;
  /** The Solution Partner's app secret: it signs debug_token calls and keys the token fingerprint. */
  appSecret: () => Promise<string>;
  newOnboardingId: () => string;
  clock: () => Date;
}

/** `POST /api/onboardings` as intake reads it: the token, and its lifetime as FB.login told the page (seconds). */
export interface StartOnboardingRequest {
  accessToken: string;
  expiresInSeconds?: number;
}

export interface StartedOnboarding {
  /** False when this token had already started an onboarding: nothing new was created. */
  created: boolean;
  onboarding: Onboarding;
}

/**
 * Verifies the Tech Provider's token, lists the apps they selected, records the onboarding with one
 * PENDING solution per app and enqueues one create message per app. Posting the same token again
 * returns the first onboarding and creates nothing.
 * When Graph throttles the check, fails for now, or is too slow for intake's deadline (its calls are
 * cut off WRITE_RESERVE_MS before it), the click is still taken: the onboarding is recorded VERIFYING,
 * without apps, until the end of the token's lifetime, and a verify message takes the check on
 * (verify-onboarding.ts).
 */
export async function startOnboarding(request: StartOnboardingRequest, deps: StartOnboardingDeps, deadline?: Deadline): Promise<StartedOnboarding> {
  const { accessToken } = request;
  const appSecret = await deps.appSecret();
  const fingerprint = tokenFingerprint(accessToken, appSecret);

  const knownId = await deps.store.findOnboardingIdByFingerprint(fingerprint);
  if (knownId) return { created: false, onboarding: await resume(knownId, request, deps) };

  const signal = deadline && AbortSignal.any([deadline.signal, AbortSignal.timeout(Math.max(0, deadline.timeLeftMs() - WRITE_RESERVE_MS))]);
  const now = deps.clock();
  let token: TokenDebugInfo | undefined;
  let onboarding: Onboarding;
  try {
    const checked = await checkToken(accessToken, appSecret, deps, signal, (verified) => (token = verified));
    onboarding = newOnboarding(deps.newOnboardingId(), fingerprint, checked.token, checked.apps, deps.settings, now);
  } catch (error) {
    if (!(error instanceof GraphError && error.retryable)) throw error;
    onboarding = verifyingOnboarding(deps.newOnboardingId(), fingerprint, tokenLifetimeEnd(now, { expiresInSeconds: request.expiresInSeconds, expiresAt: token?.expiresAt }), now);
  }

  if ((await deps.store.createOnboarding(onboarding)) === 'duplicate') {
    // A concurrent POST of the same token won the race: answer with its onboarding.
    const winner = await deps.store.findOnboardingIdByFingerprint(fingerprint);
    if (!winner) throw new Error('token guard vanished after a conflicting write');
    return { created: false, onboarding: await resume(winner, request, deps) };
  }
  await enqueue(onboarding, accessToken, deps);
  return { created: true, onboarding };
}

/**
 * The whole check of a token, as intake makes it and as its verify message makes it later: debug_token
 * (valid, ours, the permission granted), then the apps selected (some, not too many). What it finds
 * wrong is an OnboardingRejected; Graph's trouble a GraphError.
 */
export async function checkToken(
  accessToken: string,
  appSecret: string,
  deps: TokenCheckDeps,
  signal?: AbortSignal,
  /** Hears debug_token's answer as soon as it is in: its lifetime counts even if the listing then fails. */
  verified?: (token: TokenDebugInfo) => void,
): Promise<{ token: TokenDebugInfo; apps: TechProviderApp[] }> {
  // Both at once: neither needs the other's answer, and they are the check's whole wait on Graph. The
  // token's check speaks first: a listing refused for a bad token is answered as the token's fault.
  const listing = listApps(accessToken, deps, signal);
  // Its failure is awaited below, or moot once the token's check failed: never an unhandled rejection.
  listing.catch(() => undefined);
  const token = await verifyToken(accessToken, appSecret, deps, signal);
  verified?.(token);
  return { token, apps: await listing };
}

async function verifyToken(accessToken: string, appSecret: string, deps: TokenCheckDeps, signal?: AbortSignal): Promise<TokenDebugInfo> {
  const { partnerAppId } = deps.settings;
  const info = await deps.graph.debugToken(accessToken, `${partnerAppId}|${appSecret}`, signal).catch((error: unknown) => {
    // debug_token authenticates with *our* app token: a token or permission error here is our
    // misconfiguration, not the Tech Provider's, and must not be reported to them as theirs.
    if (error instanceof GraphError && (error.isTokenError || error.isPermissionError)) {
      throw new Error(`Graph rejected the Solution Partner's app token (code ${error.details.code}): check PARTNER_APP_ID and the app secret`);
    }
    throw error;
  });
  if (!info.isValid) throw new OnboardingRejected('INVALID_TOKEN');
  if (info.appId !== partnerAppId) throw new OnboardingRejected('TOKEN_FOR_ANOTHER_APP');
  if (!info.scopes.includes(REQUIRED_SCOPE)) throw new OnboardingRejected('PERMISSION_NOT_GRANTED');
  return info;
}

/** The apps the Tech Provider selected, with their token: a token or permission error is theirs. */
async function listApps(accessToken: string, deps: TokenCheckDeps, signal?: AbortSignal): Promise<TechProviderApp[]> {
  // Read no further than it takes to know there are too many: a long listing is a rejection, never Graph's trouble.
  const apps = await deps.graph.listSelectedApps(accessToken, { signal, atMost: MAX_APPS_PER_ONBOARDING }).catch((error: unknown) => {
    if (error instanceof GraphError && error.isTokenError) throw new OnboardingRejected('INVALID_TOKEN');
    if (error instanceof GraphError && error.isPermissionError) throw new OnboardingRejected('PERMISSION_NOT_GRANTED');
    throw error;
  });
  if (apps.length === 0) throw new OnboardingRejected('NO_APP_SELECTED');
  if (apps.length > MAX_APPS_PER_ONBOARDING) throw new OnboardingRejected('TOO_MANY_APPS');
  return apps;
}

/**
 * When the token's lifetime ends (ISO 8601): debug_token's `expires_at` once known (0: it does not
 * expire), else what the POST said (FB.login's `expiresIn`), else the default; never later than the
 * longest a message may hold it (schedule.ts `verification`).
 */
export function tokenLifetimeEnd(now: Date, said: { expiresInSeconds?: number | undefined; expiresAt?: number | undefined }): string {
  const { defaultTokenLifetimeSeconds, maxTokenLifetimeSeconds } = SCHEDULE.verification;
  const latest = now.getTime() + maxTokenLifetimeSeconds * 1000;
  const end = said.expiresAt !== undefined ? (said.expiresAt === 0 ? latest : said.expiresAt * 1000) : now.getTime() + (said.expiresInSeconds ?? defaultTokenLifetimeSeconds) * 1000;
  return new Date(Math.min(end, latest)).toISOString();
}

/** A checked token's onboarding: one PENDING solution per app, each due now (its create message goes out with it). */
export function newOnboarding(onboardingId: string, fingerprint: string, token: TokenDebugInfo, apps: TechProviderApp[], settings: TokenCheckDeps['settings'], now: Date): Onboarding {
  const at = now.toISOString();
  return {
    onboarding: {
      onboardingId,
      techProviderUserId: token.userId,
      apps: apps.map((a) => ({ appId: a.id, name: a.name })),
      tokenFingerprint: fingerprint,
      tokenExpiresAt: token.expiresAt,
      createdAt: at,
      updatedAt: at,
    },
    solutions: apps.map(
      (app): SolutionRecord => ({
        onboardingId,
        appId: app.id,
        appName: app.name,
        solutionName: solutionName(settings.solutionNameTemplate, { partner: settings.partnerName, appName: app.name || app.id, appId: app.id }),
        status: 'PENDING',
        attempts: 0,
        // Its create message is sent now: the reconciler knows it is due from this time on.
        nextAttemptAt: at,
        createdAt: at,
        updatedAt: at,
      }),
    ),
  };
}

/** An onboarding whose check waits for Graph: no apps, no solutions, until `verifyBy`. */
function verifyingOnboarding(onboardingId: string, fingerprint: string, verifyBy: string, now: Date): Onboarding {
  const at = now.toISOString();
  const onboarding: OnboardingRecord = { onboardingId, apps: [], tokenFingerprint: fingerprint, status: 'VERIFYING', verifyBy, createdAt: at, updatedAt: at };
  return { onboarding, solutions: [] };
}

/**
 * A repeated POST: if the first one stopped before its messages were all sent, send them now. A token
 * whose deferred check failed is checked again (FB.login hands out the same token while it is valid:
 * Graph's trouble, or a lifetime we only estimated, must not refuse it for good).
 */
async function resume(onboardingId: string, request: StartOnboardingRequest, deps: Pick<StartOnboardingDeps, 'store' | 'queue' | 'clock'>): Promise<Onboarding> {
  const read = async () => {
    const found = await deps.store.getOnboarding(onboardingId);
    if (!found) throw new Error(`onboarding ${onboardingId} has a token guard but no record`);
    return found;
  };
  let onboarding = await read();
  if (onboarding.onboarding.status === 'VERIFY_FAILED') {
    const now = deps.clock();
    if (await deps.store.reopenVerification(onboardingId, tokenLifetimeEnd(now, { expiresInSeconds: request.expiresInSeconds }), now)) onboarding = await read();
  }
  if (!onboarding.onboarding.enqueuedAt) await enqueue(onboarding, request.accessToken, deps);
  return onboarding;
}

/**
 * Sends an onboarding's messages: its verify message while VERIFYING, else one create message per
 * PENDING solution (none while its check stays failed). Re-sending a message whose first copy did
 * arrive is harmless: the worker's claim, and the verification's write, are conditional.
 */
export async function enqueue(
  { onboarding, solutions }: Onboarding,
  accessToken: string,
  deps: { store: Pick<OnboardingRecords, 'markEnqueued'>; queue: CreateSolutionQueue; clock: () => Date },
): Promise<void> {
  const { onboardingId } = onboarding;
  if (onboarding.status === 'VERIFY_FAILED') return;
  const verifying = onboarding.status === 'VERIFYING';
  if (verifying) await deps.queue.send([{ kind: 'verify', onboardingId, accessToken }]);
  else await deps.queue.send(solutions.filter((s) => s.status === 'PENDING').map((s) => ({ onboardingId, appId: s.appId, accessToken })));
  await deps.store.markEnqueued(onboardingId, deps.clock(), verifying);
}
