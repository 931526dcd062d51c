import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Condition } from '../domain/item-move';
import type { StatusWindow } from '../domain/records/ports';
import type { DynamoTable } from './dynamo-table';
import { ExpressionBuilder } from './move-expression';
import { TABLE_LAYOUT } from './table-layout';

type Item = Record<string, unknown>;

export interface StatusQuery {
  filter?: Condition;
  updatedBefore?: Date;
  limit: number;
  maxPages?: number;
  pageSize?: number;
}

/**
 * The `byStatus` index (status, updatedAt), for any item kind that has a status: solution items,
 * client items, and onboardings whose token's check intake deferred (VERIFYING, VERIFY_FAILED),
 * whose statuses never share a name.
 */
export class StatusIndex {
  constructor(private readonly table: DynamoTable) {}

  /**
   * Items in `status`, newest change first, through the `byStatus` index, changed within
   * [`since`, `until`]; page by page, as far as the reader goes.
   */
  async *newest(status: string, window: StatusWindow, pageSize: number): AsyncGenerator<Item> {
    for await (const page of this.statusPages(status, window, { ScanIndexForward: false, Limit: pageSize })) yield* page.Items ?? [];
  }

  /** How many items in `status` changed since `since` (all when absent): the index's count, no items read out. */
  async count(status: string, since?: string): Promise<number> {
    let count = 0;
    for await (const page of this.statusPages(status, { since }, { Select: 'COUNT' })) count += page.Count ?? 0;
    return count;
  }

  /** The pages of one `byStatus` query, its sort key (the change time) within the window. */
  private async *statusPages(status: string, window: StatusWindow, options: Pick<QueryCommandInput, 'ScanIndexForward' | 'Limit' | 'Select'>) {
    const { partitionKey, sortKey } = TABLE_LAYOUT.indexes.byStatus;
    const { since, until } = window;
    const range = since && until ? ' AND #updated BETWEEN :since AND :until' : since ? ' AND #updated >= :since' : until ? ' AND #updated <= :until' : '';
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.db.send(
        new QueryCommand({
          TableName: this.table.tableName,
          IndexName: 'byStatus',
          KeyConditionExpression: `#status = :status${range}`,
          ExpressionAttributeNames: { '#status': partitionKey, ...(range ? { '#updated': sortKey } : {}) },
          ExpressionAttributeValues: { ':status': status, ...(since ? { ':since': since } : {}), ...(until ? { ':until': until } : {}) },
          ...options,
          ExclusiveStartKey,
        }),
      );
      yield page;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  /**
   * Items in `status`, oldest change first, through the `byStatus` index (never a Scan),
   * changed before `updatedBefore`, filtered by `filter` (a condition on the item's other
   * attributes; `#status` is bound). At most
   * `limit` items, reading at most `maxPages` pages (of `pageSize` items, or 1 MB): a pass over a
   * large backlog stays bounded, and the next pass goes on.
   */
  async find(status: string, opts: StatusQuery): Promise<Item[]> {
    const { partitionKey, sortKey } = TABLE_LAYOUT.indexes.byStatus;
    const expression = new ExpressionBuilder();
    const filter = opts.filter && expression.condition(opts.filter);
    const found: Item[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    for (let page = 0; page < (opts.maxPages ?? 10); page++) {
      const result = await this.table.db.send(
        new QueryCommand({
          TableName: this.table.tableName,
          IndexName: 'byStatus',
          // The index's sort key can only be matched here, never in the filter.
          KeyConditionExpression: opts.updatedBefore ? '#status = :status AND #updated <= :updatedBefore' : '#status = :status',
          ...(filter ? { FilterExpression: filter } : {}),
          ExpressionAttributeNames: { '#status': partitionKey, ...expression.names, ...(opts.updatedBefore ? { '#updated': sortKey } : {}) },
          ExpressionAttributeValues: { ':status': status, ...expression.values, ...(opts.updatedBefore ? { ':updatedBefore': opts.updatedBefore.toISOString() } : {}) },
          ScanIndexForward: true,
          ...(opts.pageSize ? { Limit: opts.pageSize } : {}),
          ExclusiveStartKey,
        }),
      );
      found.push(...(result.Items ?? []));
      ExclusiveStartKey = result.LastEvaluatedKey;
      if (!ExclusiveStartKey || found.length >= opts.limit) break;
    }
    return found.slice(0, opts.limit);
  }
}
