import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { GraphErrorDetails } from '../graph/graph-error';
import type { Onboarding, OnboardingRecord, SolutionRecord, SolutionStatus } from '../domain/records';
import { ENTITY, keys } from './table-layout';

/** DynamoDB allows 100 items per transaction: the token guard, the onboarding and one item per app. */
export const MAX_APPS_PER_ONBOARDING = 98;

export type CreateClaim =
  | { kind: 'claimed'; record: SolutionRecord; resumed: boolean }
  | { kind: 'busy'; record: SolutionRecord }
  | { kind: 'settled'; record: SolutionRecord | undefined };

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
   * Takes the right to create this app's solution for `leaseMs`. A PENDING item is claimed; a
   * CREATING item whose lease ran out (a worker failed or died mid-way) is claimed as `resumed`, and
   * the caller must first look on Graph for a solution that the earlier attempt may have made.
   */
  async claimForCreate(onboardingId: string, appId: string, now: Date, leaseMs: number): Promise<CreateClaim> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.solution(onboardingId, appId),
          UpdateExpression: 'SET #status = :creating, attempts = attempts + :one, leaseExpiresAt = :lease, updatedAt = :now',
          ConditionExpression: '#status = :pending OR (#status = :creating AND leaseExpiresAt < :nowMs)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':creating': 'CREATING',
            ':pending': 'PENDING',
            ':one': 1,
            ':lease': now.getTime() + leaseMs,
            ':nowMs': now.getTime(),
            ':now': now.toISOString(),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const before = Attributes as SolutionRecord;
      return {
        kind: 'claimed',
        record: { ...before, status: 'CREATING', attempts: before.attempts + 1, updatedAt: now.toISOString() },
        resumed: before.status === 'CREATING',
      };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.getSolution(onboardingId, appId);
      return current?.status === 'CREATING' ? { kind: 'busy', record: current } : { kind: 'settled', record: current };
    }
  }

  recordCreated(onboardingId: string, appId: string, solutionId: string, now: Date): Promise<boolean> {
    return this.transition(onboardingId, appId, 'CREATING', 'CREATED', now, {
      set: { solutionId },
      remove: ['leaseExpiresAt', 'lastError'],
    });
  }

  recordCreateFailed(onboardingId: string, appId: string, error: GraphErrorDetails, now: Date): Promise<boolean> {
    return this.transition(onboardingId, appId, 'CREATING', 'CREATE_FAILED', now, { set: { lastError: error }, remove: ['leaseExpiresAt'] });
  }

  /** After a retryable failure: keep CREATING (the attempt may have reached Graph) but let the retry in at once. */
  async releaseCreateLease(onboardingId: string, appId: string, error: GraphErrorDetails, now: Date): Promise<void> {
    await this.transition(onboardingId, appId, 'CREATING', 'CREATING', now, { set: { lastError: error, leaseExpiresAt: 0 } });
  }

  recordAccepted(onboardingId: string, appId: string, now: Date): Promise<boolean> {
    return this.transition(onboardingId, appId, 'CREATED', 'ACCEPTED', now, { remove: ['lastError'] });
  }

  recordAcceptFailed(onboardingId: string, appId: string, error: GraphErrorDetails, now: Date): Promise<boolean> {
    return this.transition(onboardingId, appId, 'CREATED', 'ACCEPT_FAILED', now, { set: { lastError: error } });
  }

  /** Applies `from → to` once; false when the item was no longer in `from` (a duplicate delivery). */
  private async transition(
    onboardingId: string,
    appId: string,
    from: SolutionStatus,
    to: SolutionStatus,
    now: Date,
    change: { set?: Record<string, unknown>; remove?: string[] },
  ): Promise<boolean> {
    const set = { status: to, updatedAt: now.toISOString(), ...change.set };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':from': from };
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
          ConditionExpression: '#status = :from',
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
