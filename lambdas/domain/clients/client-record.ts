import type { HistoryEntry, RecordedError } from '../records';
import type { ClientFailureReason, ClientLeaveEvent, ClientSource, ClientStatus } from './client-status';

/** A client is one WABA onboarded through one of our solutions: one record per (solution, WABA). */
export interface ClientKey {
  solutionId: string;
  wabaId: string;
}

/** Graph's error as a client record keeps it, with the pipeline's conclusion when there is one. */
export interface ClientError extends Omit<RecordedError, 'reason' | 'differences'> {
  reason?: ClientFailureReason;
}

export interface ClientRecord extends ClientKey {
  /** The client's business portfolio, which owns the WABA. */
  ownerBusinessId: string;
  /** The Tech Provider app whose solution it joined through, and that solution's onboarding (the correlation id). */
  appId: string;
  onboardingId: string;
  /** The app `PARTNER_APP_INSTALLED` named, when that event told us. */
  partnerAppId?: string;
  status: ClientStatus;
  /** When each source first told us of this client (entry time of the webhook, or the pass's time). ISO 8601. */
  toldBy: Partial<Record<ClientSource, string>>;
  /** Credit-sharing attempts; each claim adds one, and the number fences that attempt's writes. */
  shareAttempts?: number;
  /** When the next attempt is due (the lease of the one under way, or a retry's time). ISO 8601. */
  nextAttemptAt?: string;
  /** Until when failures are retried before CREDIT_FAILED (set by the first attempt). */
  shareRetryUntil?: string;
  /** Our credit line's allocation to this client, once Graph answered the share (or we found it there). */
  allocationConfigId?: string;
  /** The WABA's `primary_funding_id`, as verified equal to the allocation's `receiving_credential`. */
  fundingId?: string;
  lastError?: ClientError;
  /** The event that told of it leaving, and the time it was true. */
  removedBy?: ClientLeaveEvent;
  removedAt?: string;
  history?: HistoryEntry<ClientStatus>[];
  historyDropped?: number;
  createdAt: string;
  updatedAt: string;
}

/** Attributes a client transition may write: the record's own, and each source's entry of `toldBy`. */
export type ClientAttribute = Exclude<keyof ClientRecord, 'toldBy'> | `toldBy.${ClientSource}`;
