import type { SolutionRecord } from '../domain/records';
import type { SolutionQueries, StatusWindow } from '../domain/records/ports';
import type { SolutionStatus } from '../domain/solution-status';
import type { DynamoTable } from './dynamo-table';
import { StatusIndex, type StatusQuery } from './status-index';
import { TABLE_LAYOUT } from './table-layout';

/** Solution items by app, solution and status, each one query on an index (never a Scan): the reconciler, lifecycle news, ops and the bench. */
export class DynamoSolutionQueries implements SolutionQueries {
  private readonly byStatus: StatusIndex;

  constructor(private readonly table: DynamoTable) {
    this.byStatus = new StatusIndex(table);
  }

  newestInStatus(status: SolutionStatus, window: StatusWindow, pageSize: number): AsyncGenerator<SolutionRecord> {
    return this.byStatus.newest(status, window, pageSize) as unknown as AsyncGenerator<SolutionRecord>;
  }

  countInStatus(status: SolutionStatus, since?: string): Promise<number> {
    return this.byStatus.count(status, since);
  }

  async findByStatus(status: SolutionStatus, opts: StatusQuery): Promise<SolutionRecord[]> {
    return (await this.byStatus.find(status, opts)) as unknown as SolutionRecord[];
  }

  /** Every solution item of a Tech Provider app, one per onboarding of it, through the `byAppId` index. */
  findByAppId(appId: string): Promise<SolutionRecord[]> {
    return this.table.queryAll<SolutionRecord>({
      IndexName: 'byAppId',
      KeyConditionExpression: '#appId = :appId',
      ExpressionAttributeNames: { '#appId': TABLE_LAYOUT.indexes.byAppId.partitionKey },
      ExpressionAttributeValues: { ':appId': appId },
    });
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

}
