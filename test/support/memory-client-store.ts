import type { Condition, ItemMove, MoveResult } from '../../lambdas/domain/item-move';
import { historyEntry } from '../../lambdas/domain/records';
import type { StatusWindow } from '../../lambdas/domain/records/ports';
import type { ClientItems, ClientQueries } from '../../lambdas/domain/clients/client-ports';
import type { ClientKey, ClientRecord } from '../../lambdas/domain/clients/client-record';
import { clientStore, type ClientStore } from '../../lambdas/domain/clients/client-records';
import { CLIENT_STATUS_FACTS, type ClientStatus } from '../../lambdas/domain/clients/client-status';
import { hourOf } from '../../lambdas/store/client-store';
import { applyChange, matches, trimmed } from './memory-record-store';

type Item = Record<string, unknown>;

/**
 * The clients' ports in memory, with DynamoDB's semantics for what the domain relies on (the same
 * conditions, changes and timeline trimming as the solutions' memory store): for the unit tier.
 */
export class MemoryClientPorts implements ClientItems, ClientQueries {
  readonly items = new Map<string, Item>();
  /** New clients per app, by the hour they were recorded in (the weekly count's items). */
  readonly newPerHour = new Map<string, Map<string, number>>();

  async getClient(key: ClientKey): Promise<ClientRecord | undefined> {
    const item = this.items.get(keyOf(key));
    return item && (structuredClone(item) as unknown as ClientRecord);
  }

  async recordNewClient(record: ClientRecord): Promise<'recorded' | 'known'> {
    if (this.items.has(keyOf(record))) return 'known';
    this.items.set(keyOf(record), { ...structuredClone(record), history: [historyEntry(new Date(record.createdAt), record.status)] } as unknown as Item);
    const hours = this.newPerHour.get(record.appId) ?? new Map<string, number>();
    const hour = hourOf(new Date(record.createdAt));
    hours.set(hour, (hours.get(hour) ?? 0) + 1);
    this.newPerHour.set(record.appId, hours);
    return 'recorded';
  }

  async applyClientMove(key: ClientKey, move: ItemMove): Promise<MoveResult<ClientRecord>> {
    const item = this.items.get(keyOf(key));
    if (!item || !matches(move.condition, item)) return { applied: false, refusedBy: 'item' };
    this.items.set(keyOf(key), trimmed(applyChange(item, move.change)));
    return { applied: true, item: (await this.getClient(key))! };
  }

  async clientsOfWaba(wabaId: string): Promise<ClientRecord[]> {
    return this.clients().filter((c) => c.wabaId === wabaId);
  }

  async clientsOfSolution(solutionId: string): Promise<ClientRecord[]> {
    return this.clients().filter((c) => c.solutionId === solutionId);
  }

  async countJoined(solutionId: string): Promise<number> {
    return (await this.clientsOfSolution(solutionId)).filter((c) => CLIENT_STATUS_FACTS[c.status].joined).length;
  }

  async joinedSince(appId: string, since: Date): Promise<number> {
    const from = hourOf(since);
    return [...(this.newPerHour.get(appId) ?? new Map<string, number>())].reduce((sum, [hour, n]) => sum + (hour >= from ? n : 0), 0);
  }

  async clientsInStatus(status: ClientStatus, opts: { filter?: Condition; updatedBefore?: Date; limit: number }): Promise<ClientRecord[]> {
    const before = opts.updatedBefore?.toISOString();
    const kept = (c: ClientRecord) => (before === undefined || c.updatedAt <= before) && (opts.filter === undefined || matches(opts.filter, c as unknown as Item));
    return this.inStatus(status, {}).filter(kept).slice(0, opts.limit);
  }

  async *newestClientsInStatus(status: ClientStatus, window: StatusWindow): AsyncGenerator<ClientRecord> {
    yield* this.inStatus(status, window).reverse();
  }

  async countClientsInStatus(status: ClientStatus): Promise<number> {
    return this.inStatus(status, {}).length;
  }

  /** Oldest change first, as the `byStatus` index reads. */
  private inStatus(status: ClientStatus, { since, until }: StatusWindow): ClientRecord[] {
    return this.clients()
      .filter((c) => c.status === status && (since === undefined || c.updatedAt >= since) && (until === undefined || c.updatedAt <= until))
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
  }

  private clients(): ClientRecord[] {
    return [...this.items.values()].map((item) => structuredClone(item) as unknown as ClientRecord);
  }
}

const keyOf = (key: ClientKey) => `${key.solutionId}\u0000${key.wabaId}`;

/** The clients' store over fresh in-memory ports. */
export function memoryClientStore(): { clients: ClientStore; ports: MemoryClientPorts } {
  const ports = new MemoryClientPorts();
  return { clients: clientStore({ items: ports, queries: ports }), ports };
}
