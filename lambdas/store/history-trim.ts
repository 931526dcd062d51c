import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { HISTORY_LIMIT } from '../domain/records';
import type { DynamoTable } from './dynamo-table';

/**
 * Keeps an item's timeline within HISTORY_LIMIT entries: its first (how the item began) and the
 * latest. Only while it is as long as this writer saw it: one that appended meanwhile trims it itself.
 * Best effort, after the change it follows is written: whatever is left over, the next append trims.
 */
export async function trimHistory(table: DynamoTable, key: { pk: string; sk: string }, length: number): Promise<void> {
  const excess = length - HISTORY_LIMIT;
  if (excess <= 0) return;
  const oldestAfterFirst = Array.from({ length: excess }, (_, i) => `#history[${i + 1}]`);
  await table.db
    .send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: key,
        UpdateExpression: `REMOVE ${oldestAfterFirst.join(', ')} ADD historyDropped :dropped`,
        ConditionExpression: 'size(#history) = :length',
        ExpressionAttributeNames: { '#history': 'history' },
        ExpressionAttributeValues: { ':dropped': excess, ':length': length },
      }),
    )
    .catch(() => undefined);
}
