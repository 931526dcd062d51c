import type { Condition, ItemMove, MoveResult } from '../../lambdas/domain/item-move';
import { historyEntry, type SolutionRecord } from '../../lambdas/domain/records';
import type { StatusWindow } from '../../lambdas/domain/records/ports';
import type { ClientItems, ClientQueries, WabaLeft } from '../../lambdas/domain/clients/client-ports';
import type { ClientKey, ClientRecord } from '../../lambdas/domain/clients/client-record';
import { clientStore, type ClientStore } from '../../lambdas/domain/clients/client-records';
import { CLIENT_STATUS_FACTS, type ClientLeaveEvent, type ClientStatus } from '../../lambdas/domain/clients/client-status';
import type { RefusedTransitionReport } from '../../lambdas/domain/records/transition-writer';
import { hourOf } from '../../lambdas/store/client-store';
import { applyChange, matches, trimmed } from './memory-record-store';

type Item = Record<string, unknown>;

/**
 * The clients' ports in memory, with DynamoDB's semantics where the domain relies on them (conditions
 * on missing attributes are false; a new client, its WABA's link and its hour's count all or nothing),
 * for the unit tier.
 */
export class MemoryClientPorts implements ClientItems, ClientQueries {
  readonly clients = new Map<string, Item>();
  /** New clients per app and hour, as the table's count items hold them. */
  readonly counts = new Map<string, number>();
  /** Each solution's joined count, as its count item holds it. */
  readonly joined = new Map<string, number>();
  /** When each WABA last left us. */
  readonly left = new Map<string, WabaLeft>();

  /** Puts a client as it stands, in any status (the transition matrix's starting points). */
  seed(record: ClientRecord): void {
    this.clients.set(keyOf(record), structuredClone(record) as unknown as Item);
  }

  async getClient(key: ClientKey): Promise<ClientRecord | undefined> {
    const item = this.clients.get(keyOf(key));
    return item && (structuredClone(item) as unknown as ClientRecord);
  }

  async recordNewClient(record: ClientRecord): Promise<'recorded' | 'known'> {
    if (this.clients.has(keyOf(record))) return 'known';
    this.clients.set(keyOf(record), { ...structuredClone(record), history: [historyEntry(new Date(record.createdAt), record.status)] } as unknown as Item);
    const hour = `${record.appId}\u0000${hourOf(new Date(record.createdAt))}`;
    this.counts.set(hour, (this.counts.get(hour) ?? 0) + 1);
    if (CLIENT_STATUS_FACTS[record.status].joined) this.tally(record.solutionId, 1);
    return 'recorded';
  }

  async noteWabaLeft(wabaId: string, event: ClientLeaveEvent, at: Date): Promise<void> {
    const known = this.left.get(wabaId);
    if (known === undefined || known.leftAt < at.toISOString()) this.left.set(wabaId, { leftAt: at.toISOString(), event });
  }

  async wabaLeft(wabaId: string): Promise<WabaLeft | undefined> {
    return this.left.get(wabaId);
  }

  async applyClientMove(key: ClientKey, move: ItemMove): Promise<MoveResult<ClientRecord>> {
    const item = this.clients.get(keyOf(key));
    if (!item || !matches(move.condition, item)) return { applied: false, refusedBy: 'item' };
    this.clients.set(keyOf(key), trimmed(applyChange(item, move.change)));
    if (move.tally) this.tally(key.solutionId, move.tally);
    return { applied: true, item: (await this.getClient(key))! };
  }

  async clientsOfWaba(wabaId: string): Promise<ClientRecord[]> {
    return this.all().filter((c) => c.wabaId === wabaId);
  }

  async clientsOfSolution(solutionId: string): Promise<ClientRecord[]> {
    return this.all().filter((c) => c.solutionId === solutionId);
  }

  async countJoined(solutionId: string): Promise<number> {
    return this.joined.get(solutionId) ?? 0;
  }

  private tally(solutionId: string, add: number): void {
    this.joined.set(solutionId, (this.joined.get(solutionId) ?? 0) + add);
  }

  async joinedSince(appId: string, since: Date): Promise<number> {
    const from = hourOf(since);
    return [...this.counts].filter(([key]) => key.startsWith(`${appId}\u0000`) && key.split('\u0000')[1]! >= from).reduce((sum, [, n]) => sum + n, 0);
  }

  async clientsInStatus(status: ClientStatus, opts: { filter?: Condition; updatedBefore?: Date; limit: number }): Promise<ClientRecord[]> {
    const before = opts.updatedBefore?.toISOString();
    const kept = (c: ClientRecord) => c.status === status && (before === undefined || c.updatedAt <= before) && (opts.filter === undefined || matches(opts.filter, c as unknown as Item));
    return this.all().filter(kept).sort((a, b) => a.updatedAt.localeCompare(b.updatedAt)).slice(0, opts.limit);
  }

  async *newestClientsInStatus(status: ClientStatus, { since, until }: StatusWindow): AsyncGenerator<ClientRecord> {
    const inWindow = (c: ClientRecord) => c.status === status && (since === undefined || c.updatedAt >= since) && (until === undefined || c.updatedAt <= until);
    yield* this.all().filter(inWindow).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  async countClientsInStatus(status: ClientStatus): Promise<number> {
    return this.all().filter((c) => c.status === status).length;
  }

  private all(): ClientRecord[] {
    return [...this.clients.values()].map((item) => structuredClone(item) as unknown as ClientRecord);
  }
}

const keyOf = (key: ClientKey) => `${key.solutionId}\u0000${key.wabaId}`;

/** The clients' store over fresh in-memory ports. */
export function memoryClientStore(reportRefused?: RefusedTransitionReport): { clients: ClientStore; ports: MemoryClientPorts } {
  const ports = new MemoryClientPorts();
  return { clients: clientStore({ items: ports, queries: ports, reportRefused }), ports };
}

/** A solution record of ours holding `solutionId` in `status` (what tells a solution is ours). */
export function ourSolution(solutionId: string, status: SolutionRecord['status'] = 'ACCEPTED', appId = '634974688087057'): SolutionRecord {
  const at = '2026-12-01T00:00:00.000Z';
  return { onboardingId: 'onb-1', appId, appName: 'app', solutionName: 'Acme × app', status, solutionId, attempts: 1, createdAt: at, updatedAt: at };
}
