import type { GraphErrorDetails } from '../graph/graph-error';

/**
 * Solution status machine (DESIGN.md §3): PENDING → CREATING → CREATED → ACCEPTED, failures
 * CREATE_FAILED / ACCEPT_FAILED, EXISTING when the app already has a live solution with us.
 * Meta's partner_solutions webhook may later move a solution to REJECTED, PENDING_DEACTIVATION or
 * DEACTIVATED; those are part of the type so the store and the views already handle them.
 */
export const SOLUTION_STATUSES = [
  'PENDING',
  'CREATING',
  'CREATED',
  'ACCEPTED',
  'CREATE_FAILED',
  'ACCEPT_FAILED',
  'EXISTING',
  'REJECTED',
  'PENDING_DEACTIVATION',
  'DEACTIVATED',
] as const;
export type SolutionStatus = (typeof SOLUTION_STATUSES)[number];

export type OnboardingStatus = 'IN_PROGRESS' | 'COMPLETED' | 'PARTIAL' | 'FAILED';

const FAILED: ReadonlySet<SolutionStatus> = new Set(['CREATE_FAILED', 'ACCEPT_FAILED', 'REJECTED', 'PENDING_DEACTIVATION', 'DEACTIVATED']);
const SUCCEEDED: ReadonlySet<SolutionStatus> = new Set(['ACCEPTED', 'EXISTING']);

export interface OnboardingRecord {
  onboardingId: string;
  techProviderUserId?: string;
  apps: { appId: string; name: string }[];
  /** Keyed hash of the TP token: lets a repeated POST find its onboarding. Never the token. */
  tokenFingerprint: string;
  /** Unix seconds, from debug_token; 0 when the token does not expire. */
  tokenExpiresAt?: number;
  /** Set once every create message was accepted by SQS; absent means a repeated POST re-sends. */
  enqueuedAt?: string;
  createdAt: string;
  updatedAt: string;
}

export interface SolutionRecord {
  onboardingId: string;
  appId: string;
  appName: string;
  solutionName: string;
  status: SolutionStatus;
  solutionId?: string;
  attempts: number;
  lastError?: GraphErrorDetails;
  createdAt: string;
  updatedAt: string;
}

export interface Onboarding {
  onboarding: OnboardingRecord;
  solutions: SolutionRecord[];
}

/** Derived, never stored: it changes with every solution item. */
export function onboardingStatus(solutions: readonly SolutionRecord[]): OnboardingStatus {
  const failed = solutions.filter((s) => FAILED.has(s.status)).length;
  const succeeded = solutions.filter((s) => SUCCEEDED.has(s.status)).length;
  if (failed + succeeded < solutions.length) return 'IN_PROGRESS';
  if (failed === 0) return 'COMPLETED';
  return succeeded === 0 ? 'FAILED' : 'PARTIAL';
}
