import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ItemMove, MoveResult } from '../domain/item-move';
import type { DynamoTable } from './dynamo-table';
import { ExpressionBuilder } from './move-expression';

type Key = { pk: string; sk: string };

/** A planned move as one UpdateItem's input (alone, or as a transaction's entry). */
export function moveUpdate(table: DynamoTable, Key: Key, move: ItemMove) {
  const expression = new ExpressionBuilder();
  return {
    TableName: table.tableName,
    Key,
    ConditionExpression: expression.condition(move.condition),
    UpdateExpression: expression.update(move.change),
    ExpressionAttributeNames: expression.names,
    ExpressionAttributeValues: expression.values,
  };
}

/**
 * Applies a move as one conditional UpdateItem: the item as the write left it (ALL_NEW: a claim reads
 * its attempt number from it), as `read` makes a record of it; refused when its condition fails.
 */
export async function applyUpdate<T>(table: DynamoTable, Key: Key, move: ItemMove, read: (item: Record<string, unknown>) => T): Promise<MoveResult<T>> {
  try {
    const { Attributes } = await table.db.send(new UpdateCommand({ ...moveUpdate(table, Key, move), ReturnValues: 'ALL_NEW' }));
    return { applied: true, item: read(Attributes ?? {}) };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { applied: false, refusedBy: 'item' };
    throw error;
  }
}
