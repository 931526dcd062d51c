import type { GraphErrorDetails } from '../graph/graph-error';
import type { FailureReason, LiveStatus, SolutionStatus } from './solution-status';

/**
 * Where the check of an onboarding's token stands, when intake could not finish it (Graph throttling,
 * failing or too slow): `VERIFYING` until its verify message (or the reconciler, once the token's
 * lifetime is over) ends it; `VERIFY_FAILED` when the check found the token unusable or could not be
 * made in time. Absent once verified, as on every onboarding intake verified itself. Kept as the
 * item's `status`, so that the `byStatus` index finds these onboardings (no solution or client status
 * has these names).
 */
export const VERIFICATION_STATUSES = ['VERIFYING', 'VERIFY_FAILED'] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/** Why an onboarding's check failed, as its POST would have answered: the public error body's code and sentence. */
export interface VerificationError {
  code: string;
  message: string;
}

export interface OnboardingRecord {
  onboardingId: string;
  techProviderUserId?: string;
  /** The selected apps: empty while VERIFYING (the listing is part of the check). */
  apps: { appId: string; name: string }[];
  status?: VerificationStatus;
  /** While VERIFYING: the end of the token's lifetime (ISO 8601), after which the check cannot succeed. */
  verifyBy?: string;
  /** VERIFY_FAILED: why. While VERIFYING: the last failed attempt's error (Graph's), and when the next comes. */
  verifyError?: VerificationError;
  lastError?: GraphErrorDetails;
  nextAttemptAt?: string;
  /** Keyed hash of the TP token: lets a repeated POST find its onboarding. Never the token. */
  tokenFingerprint: string;
  /** Unix seconds, from debug_token; 0 when the token does not expire. */
  tokenExpiresAt?: number;
  /**
   * Set once every create message (while VERIFYING: the verify message) was accepted by SQS; absent
   * means a repeated POST (or the verify message, for the create messages) sends them again.
   */
  enqueuedAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** One way a solution on Graph differs from what the record asked for. */
export interface SolutionDifference {
  /** `owner_app`, `partners`, `owner_permissions`, `partner_permissions`, `name` or `status`. */
  field: string;
  expected: string;
  actual: string;
}

/** Graph's error as the record keeps it, with the pipeline's own conclusion when there is one. */
export interface RecordedError extends GraphErrorDetails {
  reason?: FailureReason;
  /** With `SOLUTION_MISMATCH`: each difference found. */
  differences?: SolutionDifference[];
}

export interface SolutionRecord {
  onboardingId: string;
  appId: string;
  appName: string;
  solutionName: string;
  status: SolutionStatus;
  solutionId?: string;
  /** Create attempts; each claim adds one, and the number fences that attempt's writes. */
  attempts: number;
  /** Accept attempts, once CREATED. */
  acceptAttempts?: number;
  lastError?: RecordedError;
  /**
   * The latest time by which some attempt at the current step will have started, if the one under
   * way (or the delivery that carries it) does not finish first. Absent on an unsettled item when no
   * attempt is coming any more: the reconciler's cue. ISO 8601, so that it compares as a string.
   */
  nextAttemptAt?: string;
  /** Epoch ms until which the current create attempt holds the item (or after which the next may start). */
  leaseExpiresAt?: number;
  /** Until when a failing accept is retried before ACCEPT_FAILED (set by its first attempt). */
  acceptRetryUntil?: string;
  /**
   * When the newest lifecycle news the record reflects was true on Graph: a webhook's entry time, or
   * the time of a read, to the second. Older news never overwrites it. ISO 8601.
   */
  lifecycleAt?: string;
  /** That news came from a read of the solution, which no webhook of the same second overrides. */
  lifecycleRead?: boolean;
  /** While PENDING_DEACTIVATION: the status it goes back to if the request is declined. */
  liveStatus?: LiveStatus;
  /** The item's timeline, oldest first: its first entry, then the latest (at most `HISTORY_LIMIT` in all). */
  history?: HistoryEntry[];
  /** Entries dropped from the timeline to keep it within `HISTORY_LIMIT`. */
  historyDropped?: number;
  createdAt: string;
  updatedAt: string;
}

/** Where lifecycle news came from: Meta's webhook, or a read of the solution (the reconciler's poll, an ops decision). */
export type LifecycleSource = 'webhook' | 'read';

/** Who moved an item: the pipeline's own steps, Meta's lifecycle news, or a person (`ops`). */
export type HistorySource = 'pipeline' | LifecycleSource | 'ops';

/** One change on a solution item's timeline: a status entered, or an attempt's outcome within a status. */
export interface HistoryEntry<S extends string = SolutionStatus> {
  at: string;
  status: S;
  by: HistorySource;
  /** The create attempt (PENDING to CREATED) or accept attempt (CREATED onwards) it concerns. */
  attempt?: number;
  /** Graph's error (or the pipeline's conclusion) that came with it, its message shortened. */
  error?: Pick<RecordedError, 'code' | 'subcode' | 'message'> & { reason?: string };
  /** What happened, when the status alone does not say: `claimed`, `retry at …`, `accept retried`, … */
  note?: string;
}

/**
 * Entries a timeline keeps: a solution retried for its whole retry period, or flipping between
 * ACCEPTED and PENDING_DEACTIVATION, must not grow its item without limit. The item is projected into
 * the indexes too, so every write pays for its size: at most about 8 KB of timeline.
 */
export const HISTORY_LIMIT = 20;
const HISTORY_MESSAGE_CHARS = 200;

export function historyEntry<S extends string = SolutionStatus>(at: Date, status: S, detail: Omit<HistoryEntry, 'at' | 'status' | 'by'> & { by?: HistorySource } = {}): HistoryEntry<S> {
  const { error, ...rest } = detail;
  const shortError = error && {
    code: error.code,
    ...(error.subcode === undefined ? {} : { subcode: error.subcode }),
    message: error.message.length > HISTORY_MESSAGE_CHARS ? `${error.message.slice(0, HISTORY_MESSAGE_CHARS - 1)}…` : error.message,
    ...(error.reason === undefined ? {} : { reason: error.reason }),
  };
  // No undefined fields: every client of the store writes the entry as it is.
  const given = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  return { at: at.toISOString(), status, by: 'pipeline', ...given, ...(shortError ? { error: shortError } : {}) };
}

export interface Onboarding {
  onboarding: OnboardingRecord;
  solutions: SolutionRecord[];
}

/** Lifecycle news is timed to the second, as Meta's webhook entry times are. */
export function wholeSecond(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 1000) * 1000);
}
