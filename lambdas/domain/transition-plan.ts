import { TransitionRefusedError, when, type ItemChange, type ItemMove } from './item-move';
import { historyEntry } from './records';
import { SOLUTION_TRANSITIONS, type RequestOf, type TransitionName } from './solution-transitions';
import type { TimelineDetail, TransitionRequest, TransitionSpec } from './transition-spec';
import { GUARDS } from './transition-guards';
import type { SolutionStatus } from './solution-status';

/**
 * Turns a transition request into one conditional write, from the transition table alone: the item
 * must be in one of the statuses the transition may start from (and lead to `to` from), its guards
 * must hold, and the change sets and clears what the table says. A move the table does not have is
 * refused here, with a TransitionRefusedError naming both statuses, and never reaches a store.
 */
export function planTransition<N extends TransitionName>(name: N, request: RequestOf<N>): ItemMove {
  return planFrom<SolutionStatus>(SOLUTION_TRANSITIONS, name, request, historyEntry);
}

/** Any status machine's transition table, by the same rules: its statuses, its timeline entries. */
export function planFrom<S extends string>(
  table: Record<string, TransitionSpec<S, never, string>>,
  name: string,
  request: TransitionRequest<S>,
  timelineEntry: (now: Date, to: S, detail: TimelineDetail) => NonNullable<ItemChange['history']>,
): ItemMove {
  const spec = table[name] as unknown as TransitionSpec<S, TransitionRequest<S>, string> | undefined;
  if (!spec) throw new Error(`no transition ${name} in the table`);
  const to = targetOf(name, spec, request);
  const froms = fromsOf(name, spec, request, to);
  const values = spec.values(request);
  // A value left undefined is not written, and so not kept either: a declared clear removes it.
  const [set, setIfAbsent, add] = [defined(values.set), defined(values.setIfAbsent), defined(values.add) as Record<string, number>];
  const written = [...Object.keys(set), ...Object.keys(setIfAbsent), ...Object.keys(add)];
  const undeclared = written.filter((attribute) => !(spec.sets as readonly string[]).includes(attribute));
  if (undeclared.length > 0) throw new Error(`${name} writes ${undeclared.join(', ')}, which the transition table does not declare`);
  const unset = (attribute: string) => !written.includes(attribute) && !(values.keep as readonly string[] | undefined)?.includes(attribute);
  const detail = to === undefined ? false : spec.timeline(request, to);
  const change: ItemChange = {
    set: {
      // The byStatus index's key pair: a write that moves the change time writes the status with it.
      ...(spec.touchesUpdatedAt && to !== undefined ? { status: to, updatedAt: request.now.toISOString() } : {}),
      ...(spec.touchesUpdatedAt && to === undefined ? { updatedAt: request.now.toISOString() } : {}),
      ...set,
    },
    setIfAbsent,
    add,
    remove: spec.clears.filter(unset),
    ...(detail === false || to === undefined ? {} : { history: timelineEntry(request.now, to, detail) }),
  };
  const condition = when.all(when.in('status', froms), ...spec.guards.map((guard) => GUARDS[guard](request)));
  return { transition: name, condition, change, ...(spec.appGuard ? { appGuard: spec.appGuard } : {}), ...(spec.tally ? { tally: spec.tally } : {}) };
}

/** Every move of the transition keeps the status (a retry noted, a delivery expected). */
export const allStay = <S extends string>(spec: TransitionSpec<S, never, string>) => (Object.entries(spec.moves) as [S, readonly S[]][]).every(([from, tos]) => tos.length === 1 && tos[0] === from);

/**
 * Where the item goes: the request's `to`, or the one status the transition leads to from where it
 * may be; undefined when every move keeps its status and the request does not say which it is in.
 */
function targetOf<S extends string>(name: string, spec: TransitionSpec<S, never, string>, request: { from?: S; to?: S }): S | undefined {
  if (request.to !== undefined) return request.to;
  if (allStay(spec)) return request.from ?? onlyOne(Object.keys(spec.moves) as S[]);
  const targets = [...new Set((Object.values(spec.moves) as S[][]).flat())];
  if (targets.length !== 1) throw new Error(`${name} leads to ${targets.join(' or ')}: the request must say which`);
  return targets[0];
}

const onlyOne = <T>(values: readonly T[]) => (values.length === 1 ? values[0] : undefined);

/** The statuses the item may be in for this write; refused when the one it was read in may not move to `to`. */
function fromsOf<S extends string>(name: string, spec: TransitionSpec<S, never, string>, request: { from?: S; within?: readonly S[] }, to: S | undefined): S[] {
  const froms = (Object.entries(spec.moves) as [S, readonly S[]][])
    .filter(([from, tos]) => tos.includes(to ?? from) && (request.within === undefined || request.within.includes(from)))
    .map(([from]) => from);
  const outside = request.within?.filter((from) => !(from in spec.moves));
  if (outside?.length) throw new TransitionRefusedError(name, outside.join('|'), to ?? '(its own status)');
  if (request.from !== undefined) {
    if (!froms.includes(request.from)) throw new TransitionRefusedError(name, request.from, to ?? request.from);
    return [request.from];
  }
  if (froms.length === 0) throw new TransitionRefusedError(name, Object.keys(spec.moves).join('|'), to ?? '(its own status)');
  return froms;
}

const defined = (values: Record<string, unknown> | undefined) => Object.fromEntries(Object.entries(values ?? {}).filter(([, value]) => value !== undefined));
