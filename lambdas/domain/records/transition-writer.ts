import { TransitionRefusedError, type ItemMove, type MoveResult } from '../item-move';
import type { SolutionRecord } from '../records';
import type { RequestOf, TransitionName } from '../solution-transitions';
import { planTransition } from '../transition-plan';
import type { ClientKey } from '../clients/client-record';
import type { SolutionItems, SolutionKey } from './ports';

/** Told of every transition the table refused (a caller's bug): logged and counted by whoever wires it. */
export type RefusedTransitionReport = (refusal: TransitionRefusedError, item: SolutionKey | ClientKey) => void;

/**
 * A move planned from a transition table; a request the table refuses is reported with its item
 * (whichever table, solutions' or clients') before it is thrown: it never reaches a store.
 */
export function plannedOrReported<K extends SolutionKey | ClientKey>(plan: () => ItemMove, item: K, report: RefusedTransitionReport): ItemMove {
  try {
    return plan();
  } catch (error) {
    if (error instanceof TransitionRefusedError) report(error, item);
    throw error;
  }
}

/** Plans each write from the transition table and applies it through the store: nothing else writes a status. */
export class TransitionWriter {
  constructor(
    private readonly items: SolutionItems,
    private readonly reportRefused: RefusedTransitionReport = () => undefined,
  ) {}

  async apply<N extends TransitionName>(item: SolutionKey, name: N, request: RequestOf<N>): Promise<MoveResult<SolutionRecord>> {
    const key = { onboardingId: item.onboardingId, appId: item.appId };
    return this.items.applyMove(key, plannedOrReported(() => planTransition(name, request), key, this.reportRefused));
  }

  /** Applied, or refused by the item's condition (it moved on, or this attempt lost its claim). */
  async applied<N extends TransitionName>(item: SolutionKey, name: N, request: RequestOf<N>): Promise<boolean> {
    return (await this.apply(item, name, request)).applied;
  }
}
