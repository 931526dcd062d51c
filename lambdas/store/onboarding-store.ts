import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { historyEntry, type Onboarding, type OnboardingRecord, type SolutionRecord } from '../domain/records';
import { MAX_APPS_PER_ONBOARDING, type OnboardingRecords } from '../domain/records/ports';
import type { DynamoTable } from './dynamo-table';
import { ENTITY, keys } from './table-layout';

/** Onboardings in DynamoDB: intake's writes and the status view's read. */
export class DynamoOnboardings implements OnboardingRecords {
  constructor(private readonly table: DynamoTable) {}

  async findOnboardingIdByFingerprint(fingerprint: string): Promise<string | undefined> {
    const { Item } = await this.table.db.send(new GetCommand({ TableName: this.table.tableName, Key: keys.tokenGuard(fingerprint), ConsistentRead: true }));
    return Item?.onboardingId as string | undefined;
  }

  /** Writes the onboarding atomically; `duplicate` when the same token already started one. */
  async createOnboarding({ onboarding, solutions }: Onboarding): Promise<'created' | 'duplicate'> {
    if (solutions.length > MAX_APPS_PER_ONBOARDING) throw new RangeError(`at most ${MAX_APPS_PER_ONBOARDING} apps per onboarding`);
    const put = (Item: Record<string, unknown>) => ({
      Put: { TableName: this.table.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' },
    });
    try {
      await this.table.db.send(
        new TransactWriteCommand({
          TransactItems: [
            put({ ...keys.tokenGuard(onboarding.tokenFingerprint), entity: ENTITY.tokenGuard, onboardingId: onboarding.onboardingId, createdAt: onboarding.createdAt }),
            put({ ...keys.onboarding(onboarding.onboardingId), entity: ENTITY.onboarding, ...onboarding }),
            ...solutions.map((s) => put({ ...keys.solution(s.onboardingId, s.appId), entity: ENTITY.solution, ...s, history: [historyEntry(new Date(s.createdAt), s.status)] })),
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
    const items = await this.table.queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.onboarding(onboardingId).pk }, ConsistentRead: true });
    const onboarding = items.find((i) => i.entity === ENTITY.onboarding);
    if (!onboarding) return undefined;
    return {
      onboarding: onboarding as unknown as OnboardingRecord,
      solutions: items.filter((i) => i.entity === ENTITY.solution) as unknown as SolutionRecord[],
    };
  }

  async markEnqueued(onboardingId: string, at: Date): Promise<void> {
    await this.table.db.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.onboarding(onboardingId),
        UpdateExpression: 'SET enqueuedAt = :at, updatedAt = :at',
        ExpressionAttributeValues: { ':at': at.toISOString() },
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  }
}
