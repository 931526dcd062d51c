import { TransitionRefusedError, type MoveResult } from '../item-move';
import type { SolutionRecord } from '../records';
import type { RequestOf, TransitionName } from '../solution-transitions';
import { planTransition } from '../transition-plan';
import type { ClientKey } from '../clients/client-record';
import type { SolutionItems, SolutionKey } from './ports';

/** Told of every transition the table refused (a caller's bug): logged and counted by whoever wires it. */
export type RefusedTransitionReport = (refusal: TransitionRefusedError, item: SolutionKey | ClientKey) => void;

/** Plans each write from the transition table and applies it through the store: nothing else writes a status. */
export class TransitionWriter {
  constructor(
    private readonly items: SolutionItems,
    private readonly reportRefused: RefusedTransitionReport = () => undefined,
  ) {}

  async apply<N extends TransitionName>(item: SolutionKey, name: N, request: RequestOf<N>): Promise<MoveResult<SolutionRecord>> {
    let move;
    try {
      move = planTransition(name, request);
    } catch (error) {
      if (error instanceof TransitionRefusedError) this.reportRefused(error, { onboardingId: item.onboardingId, appId: item.appId });
      throw error;
    }
    return this.items.applyMove({ onboardingId: item.onboardingId, appId: item.appId }, move);
  }

  /** Applied, or refused by the item's condition (it moved on, or this attempt lost its claim). */
  async applied<N extends TransitionName>(item: SolutionKey, name: N, request: RequestOf<N>): Promise<boolean> {
    return (await this.apply(item, name, request)).applied;
  }
}
