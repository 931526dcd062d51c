import type { GraphErrorDetails } from '../../lambdas/graph/graph-error';
import type { Condition, ConditionValue, ItemChange, ItemMove, MoveResult } from '../../lambdas/domain/item-move';
import { historyEntry, HISTORY_LIMIT, type HistoryEntry, type Onboarding, type OnboardingRecord, type SolutionRecord, type VerificationError } from '../../lambdas/domain/records';
import { MAX_APPS_PER_ONBOARDING, type AppGuards, type OnboardingRecords, type SolutionItems, type SolutionKey, type SolutionQueries, type StatusWindow } from '../../lambdas/domain/records/ports';
import { recordStore, type RecordStore } from '../../lambdas/domain/records/record-store';
import type { RefusedTransitionReport } from '../../lambdas/domain/records/transition-writer';
import type { SolutionStatus } from '../../lambdas/domain/solution-status';

type Item = Record<string, unknown>;

/**
 * The record store's ports in memory, with DynamoDB's semantics for what the domain relies on:
 * conditions on missing attributes are false, a move is all or nothing (with the app's guard), the
 * timeline keeps its first and latest HISTORY_LIMIT entries. It runs the same record-store cases as
 * DynamoDB Local (test/support/record-store-cases.ts), in the unit tier.
 */
export class MemoryRecordPorts implements SolutionItems, AppGuards, OnboardingRecords, SolutionQueries {
  readonly items = new Map<string, Item>();
  readonly onboardingItems = new Map<string, Onboarding['onboarding']>();
  readonly tokenGuards = new Map<string, string>();
  readonly appGuards = new Map<string, string>();

  /** Puts an item as it stands, in any status (the transition matrix's starting points). */
  async seed(record: SolutionRecord): Promise<void> {
    this.items.set(itemKey(record), structuredClone(record) as unknown as Item);
  }

  async getSolution(onboardingId: string, appId: string): Promise<SolutionRecord | undefined> {
    const item = this.items.get(itemKey({ onboardingId, appId }));
    return item && (structuredClone(item) as unknown as SolutionRecord);
  }

  async applyMove(key: SolutionKey, move: ItemMove): Promise<MoveResult<SolutionRecord>> {
    const item = this.items.get(itemKey(key));
    if (!item || !matches(move.condition, item)) return { applied: false, refusedBy: 'item' };
    if (move.appGuard === 'take') {
      const holder = this.appGuards.get(key.appId);
      if (holder !== undefined && holder !== key.onboardingId) return { applied: false, refusedBy: 'guard' };
      this.appGuards.set(key.appId, key.onboardingId);
    }
    this.items.set(itemKey(key), trimmed(applyChange(item, move.change)));
    if (move.appGuard === 'release') await this.release(key.appId, key.onboardingId);
    return { applied: true, item: (await this.getSolution(key.onboardingId, key.appId))! };
  }

  async holderOf(appId: string): Promise<string | undefined> {
    return this.appGuards.get(appId);
  }

  async release(appId: string, holderId: string): Promise<void> {
    if (this.appGuards.get(appId) === holderId) this.appGuards.delete(appId);
  }

  async findOnboardingIdByFingerprint(fingerprint: string): Promise<string | undefined> {
    return this.tokenGuards.get(fingerprint);
  }

  async createOnboarding({ onboarding, solutions }: Onboarding): Promise<'created' | 'duplicate'> {
    if (solutions.length > MAX_APPS_PER_ONBOARDING) throw new RangeError(`at most ${MAX_APPS_PER_ONBOARDING} apps per onboarding`);
    if (this.tokenGuards.has(onboarding.tokenFingerprint) || this.onboardingItems.has(onboarding.onboardingId)) return 'duplicate';
    this.tokenGuards.set(onboarding.tokenFingerprint, onboarding.onboardingId);
    this.onboardingItems.set(onboarding.onboardingId, structuredClone(onboarding));
    for (const s of solutions) this.items.set(itemKey(s), { ...structuredClone(s), history: [historyEntry(new Date(s.createdAt), s.status)] });
    return 'created';
  }

  async getOnboarding(onboardingId: string): Promise<Onboarding | undefined> {
    const onboarding = this.onboardingItems.get(onboardingId);
    if (!onboarding) return undefined;
    return { onboarding: structuredClone(onboarding), solutions: this.solutions().filter((s) => s.onboardingId === onboardingId) };
  }

  async markEnqueued(onboardingId: string, at: Date, verifying = false): Promise<void> {
    const onboarding = this.onboardingItems.get(onboardingId);
    if (!onboarding) throw new Error(`no onboarding ${onboardingId}`);
    if (verifying && onboarding.status !== 'VERIFYING') return;
    Object.assign(onboarding, { enqueuedAt: at.toISOString(), updatedAt: at.toISOString() });
  }

  async completeVerification({ onboarding, solutions }: Onboarding): Promise<boolean> {
    const stored = this.onboardingItems.get(onboarding.onboardingId);
    if (stored?.status !== 'VERIFYING') return false;
    const { status: _status, verifyBy: _verifyBy, lastError: _lastError, nextAttemptAt: _nextAttemptAt, enqueuedAt: _enqueuedAt, ...kept } = stored;
    const learnt = Object.fromEntries(Object.entries({ techProviderUserId: onboarding.techProviderUserId, tokenExpiresAt: onboarding.tokenExpiresAt }).filter(([, v]) => v !== undefined));
    this.onboardingItems.set(onboarding.onboardingId, { ...kept, ...learnt, apps: structuredClone(onboarding.apps), updatedAt: onboarding.updatedAt });
    for (const s of solutions) this.items.set(itemKey(s), { ...structuredClone(s), history: [historyEntry(new Date(s.createdAt), s.status)] });
    return true;
  }

  async failVerification(onboardingId: string, error: VerificationError, now: Date): Promise<boolean> {
    const stored = this.onboardingItems.get(onboardingId);
    if (stored?.status !== 'VERIFYING') return false;
    delete stored.nextAttemptAt;
    Object.assign(stored, { status: 'VERIFY_FAILED', verifyError: { code: error.code, message: error.message }, updatedAt: now.toISOString() });
    return true;
  }

  async reopenVerification(onboardingId: string, verifyBy: string, now: Date): Promise<boolean> {
    const stored = this.onboardingItems.get(onboardingId);
    if (stored?.status !== 'VERIFY_FAILED') return false;
    for (const gone of ['verifyError', 'enqueuedAt', 'lastError', 'nextAttemptAt'] as const) delete stored[gone];
    Object.assign(stored, { status: 'VERIFYING', verifyBy, updatedAt: now.toISOString() });
    return true;
  }

  async recordVerifyWaiting(onboardingId: string, at: Date, error: GraphErrorDetails | undefined, now: Date): Promise<void> {
    const stored = this.onboardingItems.get(onboardingId);
    if (stored?.status !== 'VERIFYING') return;
    Object.assign(stored, { nextAttemptAt: at.toISOString(), updatedAt: now.toISOString(), ...(error ? { lastError: structuredClone(error) } : {}) });
  }

  async findVerifyingPast(lifetimeOverBy: Date, limit: number): Promise<OnboardingRecord[]> {
    const over = lifetimeOverBy.toISOString();
    return [...this.onboardingItems.values()]
      .filter((o) => o.status === 'VERIFYING' && o.verifyBy !== undefined && o.verifyBy <= over)
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))
      .slice(0, limit)
      .map((o) => structuredClone(o));
  }

  async findByAppId(appId: string): Promise<SolutionRecord[]> {
    return this.solutions().filter((s) => s.appId === appId);
  }

  async findBySolutionId(solutionId: string): Promise<SolutionRecord[]> {
    return this.solutions().filter((s) => s.solutionId === solutionId);
  }

  /** Oldest change first, as the `byStatus` index reads. */
  async findByStatus(status: SolutionStatus, opts: { filter?: Condition; updatedBefore?: Date; limit: number }): Promise<SolutionRecord[]> {
    const before = opts.updatedBefore?.toISOString();
    const kept = (s: SolutionRecord) => (before === undefined || s.updatedAt <= before) && (opts.filter === undefined || matches(opts.filter, s as unknown as Item));
    return this.inStatus(status, {}, 'oldest').filter(kept).slice(0, opts.limit);
  }

  async *newestInStatus(status: SolutionStatus, window: StatusWindow): AsyncGenerator<SolutionRecord> {
    yield* this.inStatus(status, window, 'newest');
  }

  async countInStatus(status: SolutionStatus, since?: string): Promise<number> {
    return this.inStatus(status, { since }, 'oldest').length;
  }

  private inStatus(status: SolutionStatus, { since, until }: StatusWindow, order: 'oldest' | 'newest'): SolutionRecord[] {
    const found = this.solutions().filter((s) => s.status === status && (since === undefined || s.updatedAt >= since) && (until === undefined || s.updatedAt <= until));
    found.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    return order === 'oldest' ? found : found.reverse();
  }

  private solutions(): SolutionRecord[] {
    return [...this.items.values()].map((item) => structuredClone(item) as unknown as SolutionRecord);
  }
}

/** The domain's record store over fresh in-memory ports. */
export function memoryRecordStore(reportRefused?: RefusedTransitionReport): { store: RecordStore; ports: MemoryRecordPorts } {
  const ports = new MemoryRecordPorts();
  return { store: recordStore({ items: ports, guards: ports, queries: ports, onboardings: ports, reportRefused }), ports };
}

const itemKey = (key: SolutionKey) => `${key.onboardingId}\u0000${key.appId}`;

function valueAt(item: Item, path: string): unknown {
  return path.split('.').reduce<unknown>((value, segment) => (value !== null && typeof value === 'object' ? (value as Item)[segment] : undefined), item);
}

/** DynamoDB compares only values of one type; anything else (a missing attribute among them) is false. */
function compare(actual: unknown, expected: ConditionValue): number | undefined {
  if (typeof actual !== typeof expected) return undefined;
  if (typeof actual === 'number') return actual - (expected as number);
  return (actual as string) < (expected as string) ? -1 : (actual as string) > (expected as string) ? 1 : 0;
}

export function matches(condition: Condition, item: Item): boolean {
  switch (condition.op) {
    case 'in':
      return condition.values.some((value) => compare(valueAt(item, condition.path), value) === 0);
    case 'eq':
      return compare(valueAt(item, condition.path), condition.value) === 0;
    case 'lt':
      return (compare(valueAt(item, condition.path), condition.value) ?? 0) < 0;
    case 'le': {
      const order = compare(valueAt(item, condition.path), condition.value);
      return order !== undefined && order <= 0;
    }
    case 'absent':
      return valueAt(item, condition.path) === undefined;
    case 'any':
      return condition.of.some((c) => matches(c, item));
    case 'all':
      return condition.of.every((c) => matches(c, item));
  }
}

/** The map that holds a path's last segment, and that segment: as in DynamoDB, a nested path needs its parent map. */
function parentOf(item: Item, path: string): [Item, string] {
  const segments = path.split('.');
  const last = segments.pop()!;
  const parent = segments.length === 0 ? item : valueAt(item, segments.join('.'));
  if (parent === null || typeof parent !== 'object') throw new Error(`ValidationException: the document path ${path} is invalid for update`);
  return [parent as Item, last];
}

export function applyChange(item: Item, change: ItemChange): Item {
  const next: Item = structuredClone(item);
  for (const [name, value] of Object.entries(change.set)) {
    const [parent, key] = parentOf(next, name);
    parent[key] = structuredClone(value);
  }
  for (const [name, value] of Object.entries(change.setIfAbsent)) {
    const [parent, key] = parentOf(next, name);
    parent[key] ??= structuredClone(value);
  }
  for (const [name, amount] of Object.entries(change.add)) next[name] = ((next[name] as number | undefined) ?? 0) + amount;
  for (const name of change.remove) delete next[name];
  if (change.history) next.history = [...((next.history as HistoryEntry[] | undefined) ?? []), structuredClone(change.history)];
  return next;
}

/** Its first entry and the latest, HISTORY_LIMIT in all. */
export function trimmed(item: Item): Item {
  const history = (item.history as HistoryEntry[] | undefined) ?? [];
  const excess = history.length - HISTORY_LIMIT;
  if (excess <= 0) return item;
  return { ...item, history: [history[0]!, ...history.slice(1 + excess)], historyDropped: ((item.historyDropped as number | undefined) ?? 0) + excess };
}
