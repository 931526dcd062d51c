import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Condition } from '../domain/item-move';
import type { SolutionRecord } from '../domain/records';
import type { SolutionQueries, StatusWindow } from '../domain/records/ports';
import type { SolutionStatus } from '../domain/solution-status';
import type { DynamoTable } from './dynamo-table';
import { ExpressionBuilder } from './move-expression';
import { TABLE_LAYOUT } from './table-layout';

/** Solution items by app, solution and status, each one query on an index (never a Scan): the reconciler, lifecycle news, ops and the bench. */
export class DynamoSolutionQueries implements SolutionQueries {
  constructor(private readonly table: DynamoTable) {}

  /** Every solution item of a Tech Provider app, one per onboarding of it, through the `byAppId` index. */
  findByAppId(appId: string): Promise<SolutionRecord[]> {
    return this.table.queryAll<SolutionRecord>({
      IndexName: 'byAppId',
      KeyConditionExpression: '#appId = :appId',
      ExpressionAttributeNames: { '#appId': TABLE_LAYOUT.indexes.byAppId.partitionKey },
      ExpressionAttributeValues: { ':appId': appId },
    });
  }

  /**
   * Solution items in `status`, newest change first, through the `byStatus` index, changed within
   * [`since`, `until`]; page by page, as far as the reader goes.
   */
  async *newestInStatus(status: SolutionStatus, window: StatusWindow, pageSize: number): AsyncGenerator<SolutionRecord> {
    for await (const page of this.statusPages(status, window, { ScanIndexForward: false, Limit: pageSize })) yield* (page.Items ?? []) as SolutionRecord[];
  }

  /** How many solution items in `status` changed since `since` (all when absent): the index's count, no items read out. */
  async countInStatus(status: SolutionStatus, since?: string): Promise<number> {
    let count = 0;
    for await (const page of this.statusPages(status, { since }, { Select: 'COUNT' })) count += page.Count ?? 0;
    return count;
  }

  /** The pages of one `byStatus` query, its sort key (the change time) within the window. */
  private async *statusPages(status: SolutionStatus, window: StatusWindow, options: Pick<QueryCommandInput, 'ScanIndexForward' | 'Limit' | 'Select'>) {
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

  /** Every solution item holding `solutionId` (the holder, and onboardings that found it EXISTING), through the `bySolutionId` index. */
  async findBySolutionId(solutionId: string): Promise<SolutionRecord[]> {
    return this.table.queryAll<SolutionRecord>({
      IndexName: 'bySolutionId',
      KeyConditionExpression: '#solutionId = :solutionId',
      ExpressionAttributeNames: { '#solutionId': TABLE_LAYOUT.indexes.bySolutionId.partitionKey },
      ExpressionAttributeValues: { ':solutionId': solutionId },
    });
  }

  /**
   * Solution items in `status`, oldest change first, through the `byStatus` index (never a Scan),
   * changed before `updatedBefore`, filtered by `filter` (a condition on the item's other
   * attributes; `#status` is bound). At most
   * `limit` items, reading at most `maxPages` pages (of `pageSize` items, or 1 MB): a pass over a
   * large backlog stays bounded, and the next pass goes on.
   */
  async findByStatus(status: SolutionStatus, opts: { filter?: Condition; updatedBefore?: Date; limit: number; maxPages?: number; pageSize?: number }): Promise<SolutionRecord[]> {
    const { partitionKey, sortKey } = TABLE_LAYOUT.indexes.byStatus;
    const expression = new ExpressionBuilder();
    const filter = opts.filter && expression.condition(opts.filter);
    const found: SolutionRecord[] = [];
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
      found.push(...((result.Items ?? []) as SolutionRecord[]));
      ExclusiveStartKey = result.LastEvaluatedKey;
      if (!ExclusiveStartKey || found.length >= opts.limit) break;
    }
    return found.slice(0, opts.limit);
  }
}
