import { SOLUTION_TRANSITIONS, type TransitionName } from './solution-transitions';
import { SOLUTION_STATUS_FACTS, SOLUTION_STATUSES, type SolutionStatus, type StatusOutcome } from './solution-status';

/**
 * Every set of statuses the pipeline decides by, derived from the status facts and the transition
 * table, never listed by hand: the stream filter, the reconciler, lifecycle news, ops, the bench and
 * the page (web/solution-statuses.js is generated from here) read these.
 */

const fromStatuses = (name: TransitionName) => Object.keys(SOLUTION_TRANSITIONS[name].moves) as SolutionStatus[];
/** Every status a transition may lead to. */
export const toStatuses = (name: TransitionName) => [...new Set(Object.values(SOLUTION_TRANSITIONS[name].moves).flat())] as SolutionStatus[];
const where = (test: (status: SolutionStatus) => boolean): ReadonlySet<SolutionStatus> => new Set(SOLUTION_STATUSES.filter(test));
const outcomeIs = (outcome: StatusOutcome) => (status: SolutionStatus) => SOLUTION_STATUS_FACTS[status].outcome === outcome;

/** Every move a solution item can make to another status, by any transition. REJECTED and DEACTIVATED are final. */
export const SOLUTION_MOVES: Readonly<Record<SolutionStatus, readonly SolutionStatus[]>> = Object.fromEntries(
  SOLUTION_STATUSES.map((from) => {
    const targets = Object.values(SOLUTION_TRANSITIONS).flatMap((spec) => (spec.moves as Partial<Record<SolutionStatus, readonly SolutionStatus[]>>)[from] ?? []);
    return [from, SOLUTION_STATUSES.filter((to) => to !== from && targets.includes(to))];
  }),
) as unknown as Record<SolutionStatus, readonly SolutionStatus[]>;

/** A write that keeps the status (a retry noted, news that confirms it) is always a move. */
export function canMove(from: SolutionStatus, to: SolutionStatus): boolean {
  return from === to || SOLUTION_MOVES[from].includes(to);
}

/** Still on their way to a solution: a create attempt may claim them, and their create message (or the reconciler) moves them on. */
export const UNDER_WAY: ReadonlySet<SolutionStatus> = new Set(fromStatuses('claimCreate'));
/** Live with us on Graph for its app: a new one would be a duplicate; the reconciler reads them when webhooks are silent. */
export const LIVE = where((s) => SOLUTION_STATUS_FACTS[s].live);
/** An app's holder still on its way: being created, or created and awaiting our accept. */
export const UNSETTLED = where(outcomeIs('working'));
/** A solution the Tech Provider can use now. */
export const READY = where(outcomeIs('ready'));
/** Waiting for an accept attempt: the stream hands the item to the accept worker as it enters one of these. */
export const AWAITING_ACCEPT: readonly SolutionStatus[] = fromStatuses('claimAccept');
/** Records that lifecycle news may move: awaiting or past our accept, or whose accept failed (someone may accept it since). */
export const FOLLOWS_LIFECYCLE: ReadonlySet<SolutionStatus> = new Set(fromStatuses('recordLifecycle'));
/** Moved on after it was usable: declined, deactivated, or a deactivation requested (where news leads, but not ready). */
export const NO_LONGER_ACTIVE: readonly SolutionStatus[] = toStatuses('recordLifecycle').filter((s) => !READY.has(s));
/** The page's tone for each status: its outcome for the Tech Provider. */
export const STATUS_TONES: Readonly<Record<SolutionStatus, StatusOutcome>> = Object.fromEntries(SOLUTION_STATUSES.map((s) => [s, SOLUTION_STATUS_FACTS[s].outcome])) as Record<
  SolutionStatus,
  StatusOutcome
>;

/** How far along its life a status is: between two webhooks of the same second, the one further along wins. */
export const stageOf = (status: SolutionStatus): number => SOLUTION_STATUS_FACTS[status].stage ?? 0;
