import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { GraphErrorDetails } from '../graph/graph-error';
import { when } from '../domain/item-move';
import { historyEntry, type Onboarding, type OnboardingRecord, type SolutionRecord, type VerificationError, type VerificationStatus } from '../domain/records';
import { MAX_APPS_PER_ONBOARDING, type OnboardingRecords } from '../domain/records/ports';
import type { DynamoTable } from './dynamo-table';
import { StatusIndex } from './status-index';
import { ENTITY, keys } from './table-layout';

/** Every write of a VERIFYING onboarding is conditional on it still being one. */
const STILL_VERIFYING = { ConditionExpression: '#status = :verifying', ExpressionAttributeNames: { '#status': 'status' } };

/** Onboardings in DynamoDB: intake's writes and the status view's read. */
export class DynamoOnboardings implements OnboardingRecords {
  private readonly byStatus: StatusIndex;

  constructor(private readonly table: DynamoTable) {
    this.byStatus = new StatusIndex(table);
  }

  async findOnboardingIdByFingerprint(fingerprint: string): Promise<string | undefined> {
    const { Item } = await this.table.db.send(new GetCommand({ TableName: this.table.tableName, Key: keys.tokenGuard(fingerprint), ConsistentRead: true }));
    return Item?.onboardingId as string | undefined;
  }

  /** Writes the onboarding atomically; `duplicate` when the same token already started one. */
  async createOnboarding({ onboarding, solutions }: Onboarding): Promise<'created' | 'duplicate'> {
    if (solutions.length > MAX_APPS_PER_ONBOARDING) throw new RangeError(`at most ${MAX_APPS_PER_ONBOARDING} apps per onboarding`);
    try {
      await this.table.db.send(
        new TransactWriteCommand({
          TransactItems: [
            this.put({ ...keys.tokenGuard(onboarding.tokenFingerprint), entity: ENTITY.tokenGuard, onboardingId: onboarding.onboardingId, createdAt: onboarding.createdAt }),
            this.put({ ...keys.onboarding(onboarding.onboardingId), entity: ENTITY.onboarding, ...onboarding }),
            ...this.solutionPuts(solutions),
          ],
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return 'duplicate';
      throw error;
    }
  }

  private put(Item: Record<string, unknown>) {
    return { Put: { TableName: this.table.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' } };
  }

  private solutionPuts(solutions: readonly SolutionRecord[]) {
    return solutions.map((s) => this.put({ ...keys.solution(s.onboardingId, s.appId), entity: ENTITY.solution, ...s, history: [historyEntry(new Date(s.createdAt), s.status)] }));
  }

  async completeVerification({ onboarding, solutions }: Onboarding): Promise<boolean> {
    if (solutions.length > MAX_APPS_PER_ONBOARDING) throw new RangeError(`at most ${MAX_APPS_PER_ONBOARDING} apps per onboarding`);
    // What debug_token told, where it told it.
    const learnt = { techProviderUserId: onboarding.techProviderUserId, tokenExpiresAt: onboarding.tokenExpiresAt };
    const known = Object.entries(learnt).filter(([, value]) => value !== undefined);
    try {
      await this.table.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table.tableName,
                Key: keys.onboarding(onboarding.onboardingId),
                UpdateExpression: `SET apps = :apps, updatedAt = :now${known.map(([name]) => `, ${name} = :${name}`).join('')} REMOVE #status, verifyBy, lastError, nextAttemptAt, enqueuedAt`,
                ...STILL_VERIFYING,
                ExpressionAttributeValues: {
                  ':verifying': 'VERIFYING',
                  ':apps': onboarding.apps,
                  ':now': onboarding.updatedAt,
                  ...Object.fromEntries(known.map(([name, value]) => [`:${name}`, value])),
                },
              },
            },
            ...this.solutionPuts(solutions),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  async failVerification(onboardingId: string, error: VerificationError, now: Date): Promise<boolean> {
    return this.updateVerifying(onboardingId, 'SET #status = :failed, verifyError = :error, updatedAt = :now REMOVE nextAttemptAt', {
      ':failed': 'VERIFY_FAILED',
      ':error': { code: error.code, message: error.message },
      ':now': now.toISOString(),
    });
  }

  async reopenVerification(onboardingId: string, verifyBy: string, now: Date): Promise<boolean> {
    return this.updateIn('VERIFY_FAILED', onboardingId, 'SET #status = :verifying, verifyBy = :by, updatedAt = :now REMOVE verifyError, enqueuedAt, lastError, nextAttemptAt', {
      ':verifying': 'VERIFYING',
      ':by': verifyBy,
      ':now': now.toISOString(),
    });
  }

  async recordVerifyWaiting(onboardingId: string, at: Date, error: GraphErrorDetails | undefined, now: Date): Promise<void> {
    const values = { ':at': at.toISOString(), ':now': now.toISOString(), ...(error ? { ':error': error } : {}) };
    await this.updateVerifying(onboardingId, `SET nextAttemptAt = :at, updatedAt = :now${error ? ', lastError = :error' : ''}`, values);
  }

  /** An update of a VERIFYING onboarding; false when it no longer was one. */
  private updateVerifying(onboardingId: string, UpdateExpression: string, values: Record<string, unknown>): Promise<boolean> {
    return this.updateIn('VERIFYING', onboardingId, UpdateExpression, values);
  }

  /** An update of an onboarding whose check is `status`; false when it no longer was. */
  private async updateIn(status: VerificationStatus, onboardingId: string, UpdateExpression: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.onboarding(onboardingId),
          UpdateExpression,
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':from': status, ...values },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async findVerifyingPast(lifetimeOverBy: Date, limit: number): Promise<OnboardingRecord[]> {
    return (await this.byStatus.find('VERIFYING', { filter: when.le('verifyBy', lifetimeOverBy.toISOString()), limit })) as unknown as OnboardingRecord[];
  }

  async getOnboarding(onboardingId: string): Promise<Onboarding | undefined> {
    const items = await this.table.queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.onboarding(onboardingId).pk }, ConsistentRead: true });
    const onboarding = items.find((i) => i.entity === ENTITY.onboarding);
    if (!onboarding) return undefined;
    return {
      onboarding: onboarding as unknown as OnboardingRecord,
      solutions: items.filter((i) => i.entity === ENTITY.solution) as unknown as SolutionRecord[],
    };
  }

  async markEnqueued(onboardingId: string, at: Date, verifying = false): Promise<void> {
    const mark = 'SET enqueuedAt = :at, updatedAt = :at';
    if (verifying) {
      await this.updateVerifying(onboardingId, mark, { ':at': at.toISOString() });
      return;
    }
    await this.table.db.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.onboarding(onboardingId),
        UpdateExpression: mark,
        ExpressionAttributeValues: { ':at': at.toISOString() },
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  }
}
