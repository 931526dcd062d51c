import { GraphError } from '../graph/graph-error';
import type { CreateSolutionQueue } from '../queue/create-solution-queue';
import type { VerifyOnboardingMessage } from '../queue/create-solution-message';
import type { OnboardingRecord, VerificationError } from './records';
import type { RecordStore } from './records/record-store';
import { checkToken, enqueue, graphTrouble, newOnboarding, OnboardingRejected, VERIFICATION_MESSAGES, type TokenCheckDeps } from './start-onboarding';

export interface VerifyOnboardingDeps extends TokenCheckDeps {
  store: Pick<RecordStore, 'getOnboarding' | 'completeVerification' | 'failVerification' | 'markEnqueued'>;
  /** The create queue: the verified onboarding's create messages go there. */
  queue: CreateSolutionQueue;
  appSecret: () => Promise<string>;
  clock: () => Date;
}

export type VerifyOnboardingOutcome =
  /** Checked: the solutions are written and their create messages sent. */
  | { outcome: 'verified'; apps: number }
  /** Ended VERIFY_FAILED: what the check found wrong, the token's lifetime over, or Graph's trouble on the last delivery. */
  | { outcome: 'failed'; error: VerificationError }
  /** Graph throttled the check or failed for now: the message comes back after its backoff. */
  | { outcome: 'retry'; graphError: GraphError }
  /** Verified earlier, but its create messages were not all sent: sent now. */
  | { outcome: 'resumed' }
  /** Nothing to do: a duplicate delivery, or an onboarding no longer there. */
  | { outcome: 'skipped'; status: OnboardingRecord['status'] | 'VERIFIED' | 'MISSING' };

/** The token's lifetime (as far as we know it) ended. */
export const lifetimeOver = (onboarding: Pick<OnboardingRecord, 'verifyBy'>, now: Date) => onboarding.verifyBy !== undefined && onboarding.verifyBy <= now.toISOString();

export const TOKEN_EXPIRED: VerificationError = { code: 'TOKEN_EXPIRED', message: VERIFICATION_MESSAGES.TOKEN_EXPIRED };

/**
 * The check intake could not make in time (start-onboarding.ts), made from the verify message: the
 * same checks, the same rejection codes. Verified, the onboarding's solutions are written at once,
 * only while it is still VERIFYING (a redelivered message writes nothing twice), and their create
 * messages sent. What the check finds wrong ends it VERIFY_FAILED with the code the POST would have
 * answered; so does the end of the token's lifetime (TOKEN_EXPIRED), and Graph's trouble on the
 * message's last delivery (`final`). Otherwise Graph's trouble is a `retry`: the create queue's
 * redelivery brings the message back after its backoff, never before Graph's estimate.
 */
export async function verifyOnboarding(message: VerifyOnboardingMessage, deps: VerifyOnboardingDeps, delivery: { final: boolean } = { final: false }): Promise<VerifyOnboardingOutcome> {
  const found = await deps.store.getOnboarding(message.onboardingId);
  if (!found) return { outcome: 'skipped', status: 'MISSING' };
  const { onboarding } = found;
  if (onboarding.status !== 'VERIFYING') {
    // Verified by an earlier delivery that stopped before its create messages were all sent.
    if (onboarding.status === undefined && !onboarding.enqueuedAt) {
      await enqueue(found, message.accessToken, deps);
      return { outcome: 'resumed' };
    }
    return { outcome: 'skipped', status: onboarding.status ?? 'VERIFIED' };
  }
  if (lifetimeOver(onboarding, deps.clock())) return fail(onboarding, TOKEN_EXPIRED, deps);

  let checked;
  try {
    checked = await checkToken(message.accessToken, await deps.appSecret(), deps);
  } catch (error) {
    if (error instanceof OnboardingRejected) return fail(onboarding, { code: error.code, message: error.message }, deps);
    if (!(error instanceof GraphError)) throw error;
    if (error.retryable && !delivery.final) return { outcome: 'retry', graphError: error };
    return fail(onboarding, lifetimeOver(onboarding, deps.clock()) ? TOKEN_EXPIRED : graphTrouble(error), deps);
  }
  const verified = newOnboarding(onboarding.onboardingId, onboarding.tokenFingerprint, checked.token, checked.apps, deps.settings, deps.clock());
  if (!(await deps.store.completeVerification(verified))) return { outcome: 'skipped', status: (await deps.store.getOnboarding(onboarding.onboardingId))?.onboarding.status ?? 'VERIFIED' };
  await enqueue(verified, message.accessToken, deps);
  return { outcome: 'verified', apps: checked.apps.length };
}

async function fail(onboarding: OnboardingRecord, error: VerificationError, deps: VerifyOnboardingDeps): Promise<VerifyOnboardingOutcome> {
  if (await deps.store.failVerification(onboarding.onboardingId, error, deps.clock())) return { outcome: 'failed', error };
  return { outcome: 'skipped', status: (await deps.store.getOnboarding(onboarding.onboardingId))?.onboarding.status ?? 'VERIFIED' };
}
