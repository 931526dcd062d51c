import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { GraphErrorDetails } from '../graph/graph-error';
import type { Onboarding, OnboardingRecord, SolutionRecord, SolutionStatus } from '../domain/records';
import { ENTITY, keys } from './table-layout';

/** DynamoDB allows 100 items per transaction: the token guard, the onboarding and one item per app. */
export const MAX_APPS_PER_ONBOARDING = 98;

export type CreateClaim =
  /** This attempt may create the solution; `attempt` fences every later write of this attempt. */
  | { kind: 'claimed'; record: SolutionRecord; attempt: number }
  /** Another attempt holds this solution, or another onboarding is creating one for the same app; worth trying again in `retryInMs`. */
  | { kind: 'busy'; retryInMs: number }
  /** Nothing left to do: a duplicate delivery. */
  | { kind: 'settled'; record: SolutionRecord | undefined }
  /** Another onboarding already holds a live solution for this app. */
  | { kind: 'existing'; solutionId: string };

/** Statuses whose solution is live with us on Graph for its app: a new one would be a duplicate. */
const LIVE: ReadonlySet<SolutionStatus> = new Set(['ACCEPTED', 'EXISTING']);
/** Statuses of a holder still on its way: created and awaiting our accept, or being created. */
const UNSETTLED: ReadonlySet<SolutionStatus> = new Set(['PENDING', 'CREATING', 'CREATED']);
/** How long until asking a busy holder again: a working attempt is usually done in seconds. */
const BUSY_RETRY_MS = 10_000;
/** A solution item that no attempt holds: PENDING, or CREATING with its lease run out. */
const CLAIMABLE = '#status = :pending OR (#status = :creating AND leaseExpiresAt < :nowMs)';
const claimableValues = (now: Date) => ({ ':pending': 'PENDING', ':creating': 'CREATING', ':nowMs': now.getTime() });

/** Statuses still on their way to a solution. */
const UNDER_WAY: ReadonlySet<SolutionStatus> = new Set(['PENDING', 'CREATING']);

/** How long until `holder` (the item, or the app's holder) may have moved on: soon, and at the latest when its lease ends. */
function busy(holder: SolutionRecord & { leaseExpiresAt?: number }, now: Date): CreateClaim {
  const leaseLeft = (holder.leaseExpiresAt ?? 0) - now.getTime();
  return { kind: 'busy', retryInMs: holder.status === 'CREATING' && leaseLeft > 0 ? Math.min(leaseLeft, BUSY_RETRY_MS) : BUSY_RETRY_MS };
}

/**
 * Records of onboardings and their solutions. Every status transition is a conditional write, so a
 * duplicate message or stream record can never apply a transition twice.
 */
export class OnboardingStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findOnboardingIdByFingerprint(fingerprint: string): Promise<string | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.tokenGuard(fingerprint), ConsistentRead: true }));
    return Item?.onboardingId as string | undefined;
  }

  /** Writes the onboarding atomically; `duplicate` when the same token already started one. */
  async createOnboarding({ onboarding, solutions }: Onboarding): Promise<'created' | 'duplicate'> {
    if (solutions.length > MAX_APPS_PER_ONBOARDING) throw new RangeError(`at most ${MAX_APPS_PER_ONBOARDING} apps per onboarding`);
    const put = (Item: Record<string, unknown>) => ({
      Put: { TableName: this.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' },
    });
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            put({ ...keys.tokenGuard(onboarding.tokenFingerprint), entity: ENTITY.tokenGuard, onboardingId: onboarding.onboardingId, createdAt: onboarding.createdAt }),
            put({ ...keys.onboarding(onboarding.onboardingId), entity: ENTITY.onboarding, ...onboarding }),
            ...solutions.map((s) => put({ ...keys.solution(s.onboardingId, s.appId), entity: ENTITY.solution, ...s })),
          ],
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return 'duplicate';
      throw error;
    }
  }

  async getOnboarding(onboardingId: string): Promise<Onboarding | undefined> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.onboarding(onboardingId).pk },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    const onboarding = items.find((i) => i.entity === ENTITY.onboarding);
    if (!onboarding) return undefined;
    return {
      onboarding: onboarding as unknown as OnboardingRecord,
      solutions: items.filter((i) => i.entity === ENTITY.solution) as unknown as SolutionRecord[],
    };
  }

  async markEnqueued(onboardingId: string, at: Date): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.onboarding(onboardingId),
        UpdateExpression: 'SET enqueuedAt = :at, updatedAt = :at',
        ExpressionAttributeValues: { ':at': at.toISOString() },
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  }

  async getSolution(onboardingId: string, appId: string): Promise<SolutionRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.solution(onboardingId, appId), ConsistentRead: true }));
    return Item as SolutionRecord | undefined;
  }

  /**
   * Takes the right to create this app's solution for `leaseMs`, together with the app's guard: one
   * (Tech Provider app, partner app) pair has at most one onboarding creating or holding a solution.
   * A PENDING item is claimed; so is a CREATING item whose lease ran out (an attempt failed or died
   * mid-way), and the caller must then look on Graph for what that attempt may have created.
   */
  async claimForCreate(onboardingId: string, appId: string, now: Date, leaseMs: number, retried = false): Promise<CreateClaim> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: keys.solution(onboardingId, appId),
                UpdateExpression: 'SET #status = :creating, attempts = attempts + :one, leaseExpiresAt = :lease, updatedAt = :now',
                ConditionExpression: CLAIMABLE,
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ...claimableValues(now), ':one': 1, ':lease': now.getTime() + leaseMs, ':now': now.toISOString() },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.appGuard(appId), entity: ENTITY.appGuard, onboardingId, claimedAt: now.toISOString() },
                ConditionExpression: 'attribute_not_exists(pk) OR onboardingId = :mine',
                ExpressionAttributeValues: { ':mine': onboardingId },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [solution, guard] = error.CancellationReasons ?? [];
      if (solution?.Code === 'ConditionalCheckFailed') {
        const current = await this.getSolution(onboardingId, appId);
        return current && UNDER_WAY.has(current.status) ? busy(current, now) : { kind: 'settled', record: current };
      }
      if (guard?.Code !== 'ConditionalCheckFailed') throw error;
      return this.guardHeldElsewhere(onboardingId, appId, now, leaseMs, retried);
    }
    const record = await this.getSolution(onboardingId, appId);
    if (!record) throw new Error(`solution item ${onboardingId}/${appId} vanished after its claim`);
    return { kind: 'claimed', record, attempt: record.attempts };
  }

  /** The app's guard names another onboarding: defer to its live solution, wait, or take over a dead guard. */
  private async guardHeldElsewhere(onboardingId: string, appId: string, now: Date, leaseMs: number, retried: boolean): Promise<CreateClaim> {
    const { Item: guard } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.appGuard(appId), ConsistentRead: true }));
    const holderId = guard?.onboardingId as string | undefined;
    const holder = holderId ? await this.getSolution(holderId, appId) : undefined;
    if (holder && LIVE.has(holder.status) && holder.solutionId) return { kind: 'existing', solutionId: holder.solutionId };
    // Not yet live: until the holder's solution is accepted (or fails), this one waits.
    if (holder && UNSETTLED.has(holder.status)) return busy(holder, now);
    // The holder failed or is gone: release its guard (only if still its) and claim once more.
    if (retried || !holderId) return { kind: 'busy', retryInMs: BUSY_RETRY_MS };
    await this.releaseAppGuard(appId, holderId);
    return this.claimForCreate(onboardingId, appId, now, leaseMs, true);
  }

  /** Removes the app's guard if `holderId` still holds it. */
  async releaseAppGuard(appId: string, holderId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.appGuard(appId),
          ConditionExpression: 'onboardingId = :holder',
          ExpressionAttributeValues: { ':holder': holderId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Records the solution this attempt created or adopted; false when the attempt lost its claim. */
  recordCreated(onboardingId: string, appId: string, attempt: number, solutionId: string, now: Date): Promise<boolean> {
    return this.transition(onboardingId, appId, { from: 'CREATING', attempt }, 'CREATED', now, {
      set: { solutionId },
      remove: ['leaseExpiresAt', 'lastError'],
    });
  }

  /** Records that this attempt found the app's live solution with us on Graph. */
  recordExistingFound(onboardingId: string, appId: string, attempt: number, solutionId: string, now: Date): Promise<boolean> {
    return this.transition(onboardingId, appId, { from: 'CREATING', attempt }, 'EXISTING', now, {
      set: { solutionId },
      remove: ['leaseExpiresAt', 'lastError'],
    });
  }

  /** Records, without a claim, that another onboarding holds this app's live solution. */
  async recordExistingElsewhere(onboardingId: string, appId: string, solutionId: string, now: Date): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.solution(onboardingId, appId),
          UpdateExpression: 'SET #status = :existing, solutionId = :solutionId, updatedAt = :now REMOVE leaseExpiresAt, lastError',
          ConditionExpression: CLAIMABLE,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...claimableValues(now), ':existing': 'EXISTING', ':solutionId': solutionId, ':now': now.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Ends this attempt in CREATE_FAILED and frees the app for a later onboarding. */
  async recordCreateFailed(onboardingId: string, appId: string, attempt: number, error: GraphErrorDetails, now: Date): Promise<boolean> {
    const applied = await this.transition(onboardingId, appId, { from: 'CREATING', attempt }, 'CREATE_FAILED', now, {
      set: { lastError: error },
      remove: ['leaseExpiresAt'],
    });
    if (applied) await this.releaseAppGuard(appId, onboardingId);
    return applied;
  }

  /**
   * After a retryable failure: keep CREATING (the attempt may have reached Graph) and let the next
   * attempt in at `notBefore` (epoch ms; now when 0), once whatever this attempt started has settled.
   */
  async releaseCreateLease(onboardingId: string, appId: string, attempt: number, error: GraphErrorDetails, now: Date, notBefore = 0): Promise<void> {
    await this.transition(onboardingId, appId, { from: 'CREATING', attempt }, 'CREATING', now, { set: { lastError: error, leaseExpiresAt: notBefore } });
  }

  recordAccepted(onboardingId: string, appId: string, now: Date): Promise<boolean> {
    return this.transition(onboardingId, appId, { from: 'CREATED' }, 'ACCEPTED', now, { remove: ['lastError'] });
  }

  recordAcceptFailed(onboardingId: string, appId: string, error: GraphErrorDetails, now: Date): Promise<boolean> {
    return this.transition(onboardingId, appId, { from: 'CREATED' }, 'ACCEPT_FAILED', now, { set: { lastError: error } });
  }

  /** Applies `from → to` once; false when the item was no longer in `from` (a duplicate delivery) or the attempt lost its claim. */
  private async transition(
    onboardingId: string,
    appId: string,
    source: { from: SolutionStatus; attempt?: number },
    to: SolutionStatus,
    now: Date,
    change: { set?: Record<string, unknown>; remove?: string[] },
  ): Promise<boolean> {
    const set = { status: to, updatedAt: now.toISOString(), ...change.set };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':from': source.from };
    // The attempt number fences a claim: a stale attempt (its lease expired, another took over)
    // can no longer write.
    if (source.attempt !== undefined) values[':attempt'] = source.attempt;
    const assignments = Object.entries(set).map(([name, value], i) => {
      names[`#s${i}`] = name;
      values[`:s${i}`] = value;
      return `#s${i} = :s${i}`;
    });
    const removals = (change.remove ?? []).map((name, i) => {
      names[`#r${i}`] = name;
      return `#r${i}`;
    });
    names['#status'] = 'status';
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.solution(onboardingId, appId),
          UpdateExpression: `SET ${assignments.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`,
          ConditionExpression: source.attempt === undefined ? '#status = :from' : '#status = :from AND attempts = :attempt',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
