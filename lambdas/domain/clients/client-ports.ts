import type { Condition, ItemMove, MoveResult } from '../item-move';
import type { StatusWindow } from '../records/ports';
import type { ClientKey, ClientRecord } from './client-record';
import type { ClientLeaveEvent, ClientStatus } from './client-status';

/** What the clients' domain needs of a store: DynamoDB (store/client-store.ts) and the unit tests' memory both implement it. */
export interface ClientItems {
  getClient(key: ClientKey): Promise<ClientRecord | undefined>;
  /**
   * Records a client once: the item, its WABA's link and one more on its app's weekly count, all or
   * nothing. `known` when the (solution, WABA) is recorded already, and then nothing is written.
   */
  recordNewClient(record: ClientRecord): Promise<'recorded' | 'known'>;
  applyClientMove(key: ClientKey, move: ItemMove): Promise<MoveResult<ClientRecord>>;
  /** Keeps the latest time a WABA left us (unshared from our business, or our app removed), known client or not. */
  noteWabaLeft(wabaId: string, event: ClientLeaveEvent, at: Date): Promise<void>;
  wabaLeft(wabaId: string): Promise<WabaLeft | undefined>;
}

/** When a WABA last left us, and how: news of its joining from before then is old news. */
export interface WabaLeft {
  leftAt: string;
  event: ClientLeaveEvent;
}

export interface ClientQueries {
  /** Every client record of a WABA (one per solution of ours it joined through). */
  clientsOfWaba(wabaId: string): Promise<ClientRecord[]>;
  clientsOfSolution(solutionId: string): Promise<ClientRecord[]>;
  /** How many businesses joined through the solution and are still with it (not REMOVED). */
  countJoined(solutionId: string): Promise<number>;
  /** New clients recorded for the app since `since` (to the hour): the Tech Provider's weekly allowance. */
  joinedSince(appId: string, since: Date): Promise<number>;
  /** In `status`, oldest change first, changed before `updatedBefore`: at most `limit` (the reconciler). */
  clientsInStatus(status: ClientStatus, opts: { filter?: Condition; updatedBefore?: Date; limit: number }): Promise<ClientRecord[]>;
  /** In `status`, newest change first, within the window, page by page (ops). */
  newestClientsInStatus(status: ClientStatus, window: StatusWindow, pageSize: number): AsyncGenerator<ClientRecord>;
  countClientsInStatus(status: ClientStatus): Promise<number>;
}
