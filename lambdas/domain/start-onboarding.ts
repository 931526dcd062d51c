import type { GraphClient } from '../graph/graph-client';
import { GraphError } from '../graph/graph-error';
import type { CreateSolutionQueue } from '../queue/create-solution-queue';
import { SCHEDULE } from '../schedule';
import { MAX_APPS_PER_ONBOARDING, type OnboardingRecords } from './records/ports';
import type { Onboarding, SolutionRecord } from './records';
import { solutionName } from './solution-name';
import { tokenFingerprint } from './token-fingerprint';

export const REQUIRED_SCOPE = 'manage_app_solution';

export type OnboardingRejection = 'INVALID_TOKEN' | 'TOKEN_FOR_ANOTHER_APP' | 'PERMISSION_NOT_GRANTED' | 'NO_APP_SELECTED' | 'TOO_MANY_APPS';

/** The Tech Provider's request cannot be served as it is; the message is safe to show them. */
export class OnboardingRejected extends Error {
  override readonly name = 'OnboardingRejected';
  constructor(
    readonly code: OnboardingRejection,
    message: string,
  ) {
    super(message);
  }
}

/** Intake stops starting work it could not finish in time: the answer must come before the HTTP API gives up. */
export interface Deadline {
  /** Aborts the Graph calls under way when the deadline passes. */
  signal: AbortSignal;
  timeLeftMs: () => number;
}

/** The time the writes (one transaction, then the create messages in batches of 10) need, at most. */
export const WRITE_RESERVE_MS = SCHEDULE.intakeWriteReserveMs;

/** Graph was too slow for intake to finish within its deadline: nothing was written. */
export class IntakeDeadlineExceeded extends Error {
  override readonly name = 'IntakeDeadlineExceeded';
}

export interface StartOnboardingDeps {
  store: OnboardingRecords;
  graph: Pick<GraphClient, 'debugToken' | 'listSelectedApps'>;
  queue: CreateSolutionQueue;
  /** The Solution Partner's app secret: it signs debug_token calls and keys the token fingerprint. */
  appSecret: () => Promise<string>;
  settings: { partnerAppId: string; partnerName: string; solutionNameTemplate: string };
  newOnboardingId: () => string;
  clock: () => Date;
}

export interface StartedOnboarding {
  /** False when this token had already started an onboarding: nothing new was created. */
  created: boolean;
  onboarding: Onboarding;
}

/**
 * Verifies the Tech Provider's token, lists the apps they selected, records the onboarding with one
 * PENDING solution per app and enqueues one create message per app. Posting the same token again
 * returns the first onboarding and creates nothing. With less than WRITE_RESERVE_MS left before
 * `deadline`, nothing is written (IntakeDeadlineExceeded): an answer that says "try again" is true.
 */
export async function startOnboarding(accessToken: string, deps: StartOnboardingDeps, deadline?: Deadline): Promise<StartedOnboarding> {
  const appSecret = await deps.appSecret();
  const fingerprint = tokenFingerprint(accessToken, appSecret);

  const knownId = await deps.store.findOnboardingIdByFingerprint(fingerprint);
  if (knownId) return { created: false, onboarding: await resume(knownId, accessToken, deps) };

  // Both at once: neither needs the other's answer, and they are intake's whole wait on Graph. The
  // token's check speaks first: a listing refused for a bad token is answered as the token's fault.
  const listing = deps.graph.listSelectedApps(accessToken, deadline?.signal);
  // Its failure is awaited below, or moot once the token's check failed: never an unhandled rejection.
  listing.catch(() => undefined);
  const token = await verifyToken(accessToken, appSecret, deps, deadline?.signal);
  const apps = await listing;
  if (apps.length === 0) {
    throw new OnboardingRejected('NO_APP_SELECTED', 'No app was selected in the Facebook dialog. Run the flow again and select at least one app.');
  }
  if (apps.length > MAX_APPS_PER_ONBOARDING) {
    throw new OnboardingRejected('TOO_MANY_APPS', `At most ${MAX_APPS_PER_ONBOARDING} apps can be onboarded at once. Run the flow again with fewer apps selected.`);
  }

  const now = deps.clock().toISOString();
  const onboardingId = deps.newOnboardingId();
  const onboarding: Onboarding = {
    onboarding: {
      onboardingId,
      techProviderUserId: token.userId,
      apps: apps.map((a) => ({ appId: a.id, name: a.name })),
      tokenFingerprint: fingerprint,
      tokenExpiresAt: token.expiresAt,
      createdAt: now,
      updatedAt: now,
    },
    solutions: apps.map(
      (app): SolutionRecord => ({
        onboardingId,
        appId: app.id,
        appName: app.name,
        solutionName: solutionName(deps.settings.solutionNameTemplate, { partner: deps.settings.partnerName, appName: app.name || app.id, appId: app.id }),
        status: 'PENDING',
        attempts: 0,
        // Its create message is sent now: the reconciler knows it is due from this time on.
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      }),
    ),
  };

  if (deadline && deadline.timeLeftMs() < WRITE_RESERVE_MS) {
    throw new IntakeDeadlineExceeded(`Graph took too long: ${deadline.timeLeftMs()} ms left of intake's deadline, ${WRITE_RESERVE_MS} ms needed to write`);
  }
  if ((await deps.store.createOnboarding(onboarding)) === 'duplicate') {
    // A concurrent POST of the same token won the race: answer with its onboarding.
    const winner = await deps.store.findOnboardingIdByFingerprint(fingerprint);
    if (!winner) throw new Error('token guard vanished after a conflicting write');
    return { created: false, onboarding: await resume(winner, accessToken, deps) };
  }
  await enqueue(onboarding, accessToken, deps);
  return { created: true, onboarding };
}

async function verifyToken(accessToken: string, appSecret: string, deps: StartOnboardingDeps, signal?: AbortSignal) {
  const { partnerAppId } = deps.settings;
  const info = await deps.graph.debugToken(accessToken, `${partnerAppId}|${appSecret}`, signal).catch((error: unknown) => {
    // debug_token authenticates with *our* app token: a token or permission error here is our
    // misconfiguration, not the Tech Provider's, and must not be reported to them as theirs.
    if (error instanceof GraphError && (error.isTokenError || error.isPermissionError)) {
      throw new Error(`Graph rejected the Solution Partner's app token (code ${error.details.code}): check PARTNER_APP_ID and the app secret`);
    }
    throw error;
  });
  if (!info.isValid) {
    throw new OnboardingRejected('INVALID_TOKEN', 'The Facebook login is no longer valid (expired or revoked). Run the flow again.');
  }
  if (info.appId !== partnerAppId) {
    throw new OnboardingRejected('TOKEN_FOR_ANOTHER_APP', 'The Facebook login was made for a different app. Run the flow again from this page.');
  }
  if (!info.scopes.includes(REQUIRED_SCOPE)) {
    throw new OnboardingRejected('PERMISSION_NOT_GRANTED', `The ${REQUIRED_SCOPE} permission was not granted. Run the flow again and allow it.`);
  }
  return info;
}

/** A repeated POST: if the first one stopped before its messages were all sent, send them now. */
async function resume(onboardingId: string, accessToken: string, deps: StartOnboardingDeps): Promise<Onboarding> {
  const onboarding = await deps.store.getOnboarding(onboardingId);
  if (!onboarding) throw new Error(`onboarding ${onboardingId} has a token guard but no record`);
  if (!onboarding.onboarding.enqueuedAt) await enqueue(onboarding, accessToken, deps);
  return onboarding;
}

async function enqueue({ onboarding, solutions }: Onboarding, accessToken: string, deps: StartOnboardingDeps): Promise<void> {
  // Re-sending a message whose first copy did arrive is harmless: the worker's claim is conditional.
  const pending = solutions.filter((s) => s.status === 'PENDING');
  await deps.queue.send(pending.map((s) => ({ onboardingId: onboarding.onboardingId, appId: s.appId, accessToken })));
  await deps.store.markEnqueued(onboarding.onboardingId, deps.clock());
}
