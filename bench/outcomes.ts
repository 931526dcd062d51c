import type { SolutionRecord } from '../lambdas/domain/records';
import type { SolutionStatus } from '../lambdas/domain/solution-status';
import { classifyGraphError } from '../lambdas/graph/graph-error';
import type { SimSolution } from '../local/graph-simulator/state';
import { isFinal } from './final-watch';
import type { PostOutcome } from './pipeline-api';
import type { Login } from './simulator';

/** One onboarding of a burst: the login posted and what the POST got. */
export interface Started {
  login: Login;
  post: PostOutcome;
}

/**
 * Where every expected solution (each app of each login) ended. A solution is **lost** when nothing
 * will come of it without the Tech Provider starting over or someone looking: its onboarding was
 * refused or never recorded, its record is missing or still not final at the deadline, or it
 * failed because Graph throttled us (throttling is ours to absorb, never a reason to fail). Failures
 * for any other reason are counted apart, by Graph error code.
 */
export interface Outcomes {
  expected: number;
  /** Record ACCEPTED or EXISTING. */
  succeeded: number;
  lost: {
    total: number;
    /** The POST was answered with an error (after the page's retries): nothing was set up. */
    notStarted: number;
    /** Of those, refused because Graph throttled intake (429). */
    notStartedThrottled: number;
    /** Onboarding accepted, but no record of the app. */
    missing: number;
    /** Not final when the run's deadline came. */
    notFinal: number;
    /** CREATE_FAILED or ACCEPT_FAILED with a throttling code as the last error. */
    throttleFailed: number;
  };
  failedOther: { total: number; byCode: Record<string, number> };
  /** Record statuses, for the JSON. */
  statuses: Record<string, number>;
  /** Solutions on Graph for these apps that invite our app and are ACTIVE. */
  activeOnGraph: number;
  /** Records ACCEPTED whose solution is not ACTIVE on Graph: the two disagree (should be 0). */
  acceptedNotActive: number;
  /** Solutions beyond the first for one (owner app, our partner app) pair: must be 0. */
  duplicates: number;
}

const SUCCEEDED: ReadonlySet<SolutionStatus> = new Set(['ACCEPTED', 'EXISTING']);
const FAILED: ReadonlySet<SolutionStatus> = new Set(['CREATE_FAILED', 'ACCEPT_FAILED']);

export function outcomes(started: readonly Started[], records: Map<string, SolutionRecord[]>, solutionsOnGraph: readonly SimSolution[], partnerAppId: string): Outcomes {
  const result: Outcomes = {
    expected: 0,
    succeeded: 0,
    lost: { total: 0, notStarted: 0, notStartedThrottled: 0, missing: 0, notFinal: 0, throttleFailed: 0 },
    failedOther: { total: 0, byCode: {} },
    statuses: {},
    activeOnGraph: 0,
    acceptedNotActive: 0,
    duplicates: 0,
  };
  const ourApps = new Set(started.flatMap((s) => s.login.appIds));
  const withUs = solutionsOnGraph.filter((s) => ourApps.has(s.ownerApp.id) && s.partners.some((p) => p.app.id === partnerAppId));
  const graphStatus = new Map(withUs.map((s) => [s.id, s.status]));
  result.activeOnGraph = withUs.filter((s) => s.status === 'ACTIVE').length;
  const perApp = new Map<string, number>();
  for (const s of withUs) perApp.set(s.ownerApp.id, (perApp.get(s.ownerApp.id) ?? 0) + 1);
  result.duplicates = [...perApp.values()].reduce((sum, count) => sum + count - 1, 0);

  for (const { login, post } of started) {
    result.expected += login.appIds.length;
    const solutions = post.onboardingId ? records.get(post.onboardingId) : undefined;
    if (!post.onboardingId) {
      result.lost.notStarted += login.appIds.length;
      if (post.status === 429) result.lost.notStartedThrottled += login.appIds.length;
      continue;
    }
    for (const appId of login.appIds) {
      const record = solutions?.find((s) => s.appId === appId);
      if (!record) {
        result.lost.missing++;
        continue;
      }
      result.statuses[record.status] = (result.statuses[record.status] ?? 0) + 1;
      if (!isFinal(record)) {
        result.lost.notFinal++;
      } else if (SUCCEEDED.has(record.status)) {
        result.succeeded++;
        if (record.status === 'ACCEPTED' && record.solutionId && graphStatus.get(record.solutionId) !== 'ACTIVE') result.acceptedNotActive++;
      } else if (FAILED.has(record.status) && record.lastError && classifyGraphError(0, record.lastError.code, false) === 'throttled') {
        result.lost.throttleFailed++;
      } else {
        result.failedOther.total++;
        const code = record.lastError ? `${record.status} code ${record.lastError.code}${record.lastError.reason ? ` ${record.lastError.reason}` : ''}` : record.status;
        result.failedOther.byCode[code] = (result.failedOther.byCode[code] ?? 0) + 1;
      }
    }
  }
  const { lost } = result;
  lost.total = lost.notStarted + lost.missing + lost.notFinal + lost.throttleFailed;
  return result;
}
