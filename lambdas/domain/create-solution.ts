import type { CreateSolutionRequest, GraphClient } from '../graph/graph-client';
import { GraphError, type GraphErrorDetails } from '../graph/graph-error';
import type { CreateSolutionMessage } from '../queue/create-solution-message';
import type { OnboardingStore } from '../store/onboarding-store';
import type { SolutionRecord, SolutionStatus } from './records';

export interface CreateSolutionDeps {
  store: Pick<OnboardingStore, 'claimForCreate' | 'recordCreated' | 'recordCreateFailed' | 'releaseCreateLease'>;
  graph: Pick<GraphClient, 'createSolution' | 'listAppSolutions'>;
  settings: {
    partnerAppId: string;
    ownerPermissions: string[];
    partnerPermissions: string[];
    /** How long one attempt may hold the solution; at least the worker's timeout. */
    createLeaseMs: number;
  };
  clock: () => Date;
}

export type CreateSolutionOutcome =
  | { outcome: 'created'; solutionId: string; recovered: boolean }
  | { outcome: 'failed'; error: GraphErrorDetails }
  | { outcome: 'skipped'; status: SolutionStatus | 'MISSING' };

/** Another attempt holds this solution right now; the message must come back later. */
export class SolutionBusyError extends Error {
  override readonly name = 'SolutionBusyError';
}

/**
 * Creates the solution for one (onboarding, app) exactly once in effect. A duplicate message finds
 * the item already claimed or settled and changes nothing; a retry after a failed or crashed attempt
 * first looks on Graph for the solution that attempt may have created (same partner, exact name).
 * Transient and throttled Graph errors are rethrown for the queue to redeliver; permanent ones end
 * in CREATE_FAILED with Graph's error kept.
 */
export async function createSolution(message: CreateSolutionMessage, deps: CreateSolutionDeps): Promise<CreateSolutionOutcome> {
  const { onboardingId, appId, accessToken } = message;
  const claim = await deps.store.claimForCreate(onboardingId, appId, deps.clock(), deps.settings.createLeaseMs);
  if (claim.kind === 'settled') return { outcome: 'skipped', status: claim.record?.status ?? 'MISSING' };
  if (claim.kind === 'busy') throw new SolutionBusyError(`solution for app ${appId} is being created by another attempt`);

  try {
    const recovered = claim.resumed ? await findEarlierSolution(claim.record, accessToken, deps) : undefined;
    const solutionId = recovered ?? (await deps.graph.createSolution(appId, createRequest(claim.record, deps.settings), accessToken));
    await deps.store.recordCreated(onboardingId, appId, solutionId, deps.clock());
    return { outcome: 'created', solutionId, recovered: recovered !== undefined };
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    if (error.retryable) {
      await deps.store.releaseCreateLease(onboardingId, appId, error.details, deps.clock());
      throw error;
    }
    await deps.store.recordCreateFailed(onboardingId, appId, error.details, deps.clock());
    return { outcome: 'failed', error: error.details };
  }
}

function createRequest(record: SolutionRecord, settings: CreateSolutionDeps['settings']): CreateSolutionRequest {
  return {
    ownerPermissions: settings.ownerPermissions,
    partnerAppId: settings.partnerAppId,
    partnerPermissions: settings.partnerPermissions,
    solutionName: record.solutionName,
  };
}

async function findEarlierSolution(record: SolutionRecord, accessToken: string, deps: CreateSolutionDeps): Promise<string | undefined> {
  const owned = await deps.graph.listAppSolutions(record.appId, 'OWNER', accessToken);
  return owned.find((s) => s.partnerAppId === deps.settings.partnerAppId && s.name === record.solutionName)?.id;
}
