import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ItemMove, MoveResult } from '../domain/item-move';
import type { SolutionRecord } from '../domain/records';
import type { AppGuards, SolutionItems, SolutionKey } from '../domain/records/ports';
import type { DynamoTable } from './dynamo-table';
import { trimHistory } from './history-trim';
import { applyUpdate, moveUpdate } from './move-write';
import { ENTITY, keys } from './table-layout';

/**
 * Solution items and the app guards in DynamoDB. A move is one conditional UpdateItem (with the
 * app's guard, one transaction), so a duplicate message or stream record can never apply a
 * transition twice; what it writes is the transition table's plan, applied as it is.
 */
export class DynamoSolutionItems implements SolutionItems, AppGuards {
  constructor(private readonly table: DynamoTable) {}

  async getSolution(onboardingId: string, appId: string): Promise<SolutionRecord | undefined> {
    const { Item } = await this.table.db.send(new GetCommand({ TableName: this.table.tableName, Key: keys.solution(onboardingId, appId), ConsistentRead: true }));
    return Item as SolutionRecord | undefined;
  }

  async applyMove(key: SolutionKey, move: ItemMove): Promise<MoveResult<SolutionRecord>> {
    const result = move.appGuard === 'take' ? await this.updateTakingGuard(key, move) : await this.update(key, move);
    if (!result.applied) return result;
    await trimHistory(this.table, keys.solution(key.onboardingId, key.appId), result.item.history?.length ?? 0);
    if (move.appGuard === 'release') await this.release(key.appId, key.onboardingId);
    return result;
  }

  private update(key: SolutionKey, move: ItemMove): Promise<MoveResult<SolutionRecord>> {
    return applyUpdate(this.table, keys.solution(key.onboardingId, key.appId), move, (item) => item as unknown as SolutionRecord);
  }

  /** The move and the app's guard for this onboarding (unless another onboarding holds it), both or neither. */
  private async updateTakingGuard(key: SolutionKey, move: ItemMove): Promise<MoveResult<SolutionRecord>> {
    try {
      await this.table.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: moveUpdate(this.table, keys.solution(key.onboardingId, key.appId), move) },
            {
              Put: {
                TableName: this.table.tableName,
                Item: { ...keys.appGuard(key.appId), entity: ENTITY.appGuard, onboardingId: key.onboardingId, claimedAt: (move.change.set.updatedAt as string | undefined) ?? new Date().toISOString() },
                ConditionExpression: 'attribute_not_exists(pk) OR onboardingId = :mine',
                ExpressionAttributeValues: { ':mine': key.onboardingId },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [item, guard] = error.CancellationReasons ?? [];
      if (item?.Code === 'ConditionalCheckFailed') return { applied: false, refusedBy: 'item' };
      if (guard?.Code === 'ConditionalCheckFailed') return { applied: false, refusedBy: 'guard' };
      throw error;
    }
    const item = await this.getSolution(key.onboardingId, key.appId);
    if (!item) throw new Error(`solution item ${key.onboardingId}/${key.appId} vanished after its ${move.transition}`);
    return { applied: true, item };
  }

  async holderOf(appId: string): Promise<string | undefined> {
    const { Item } = await this.table.db.send(new GetCommand({ TableName: this.table.tableName, Key: keys.appGuard(appId), ConsistentRead: true }));
    return Item?.onboardingId as string | undefined;
  }

  async release(appId: string, holderId: string): Promise<void> {
    try {
      await this.table.db.send(
        new DeleteCommand({
          TableName: this.table.tableName,
          Key: keys.appGuard(appId),
          ConditionExpression: 'onboardingId = :holder',
          ExpressionAttributeValues: { ':holder': holderId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
