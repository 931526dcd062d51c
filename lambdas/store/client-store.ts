import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Condition, ItemMove, MoveResult } from '../domain/item-move';
import { historyEntry } from '../domain/records';
import type { StatusWindow } from '../domain/records/ports';
import type { ClientItems, ClientQueries, WabaLeft } from '../domain/clients/client-ports';
import type { DiscoveryCursor } from '../domain/clients/discover-clients';
import type { ClientKey, ClientRecord } from '../domain/clients/client-record';
import { CLIENT_STATUS_FACTS, type ClientLeaveEvent, type ClientStatus } from '../domain/clients/client-status';
import type { DynamoTable } from './dynamo-table';
import { trimHistory } from './history-trim';
import { applyUpdate, moveUpdate } from './move-write';
import { StatusIndex } from './status-index';
import { ENTITY, keys } from './table-layout';

type Item = Record<string, unknown>;

/** A client record as its item: keyed by solution and WABA, its solution and app under names no index reads (table-layout.ts). */
export function clientItem(record: ClientRecord): Item {
  const { solutionId, appId, ...rest } = record;
  return { ...keys.client(solutionId, record.wabaId), entity: ENTITY.client, ...rest, clientSolutionId: solutionId, clientAppId: appId };
}

/** The record an item (or a stream image of one) holds. */
export function clientRecordOf(item: Item): ClientRecord {
  const { pk: _pk, sk: _sk, entity: _entity, clientSolutionId, clientAppId, ...rest } = item;
  return { ...rest, solutionId: clientSolutionId, appId: clientAppId } as ClientRecord;
}

/** The hour a time falls in, as the weekly count's sort key reads it: `2026-12-07T05`. */
export const hourOf = (at: Date) => at.toISOString().slice(0, 13);

/**
 * Client records in DynamoDB: a move is one conditional UpdateItem, a new client one transaction with
 * its WABA's link and its app's weekly count, so that a repeated webhook can neither record nor count
 * it twice.
 */
export class DynamoClientStore implements ClientItems, ClientQueries {
  private readonly byStatus: StatusIndex;

  constructor(private readonly table: DynamoTable) {
    this.byStatus = new StatusIndex(table);
  }

  async getClient(key: ClientKey): Promise<ClientRecord | undefined> {
    const { Item } = await this.table.db.send(new GetCommand({ TableName: this.table.tableName, Key: keys.client(key.solutionId, key.wabaId), ConsistentRead: true }));
    return Item && clientRecordOf(Item);
  }

  async recordNewClient(record: ClientRecord): Promise<'recorded' | 'known'> {
    const TableName = this.table.tableName;
    const item = { ...clientItem(record), history: [historyEntry(new Date(record.createdAt), record.status)] };
    // A client recorded as already gone (its leaving came first) joined and left: not counted in its solution.
    const joined = CLIENT_STATUS_FACTS[record.status].joined;
    try {
      await this.table.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName, Item: { ...keys.wabaLink(record.wabaId, record.solutionId), entity: ENTITY.wabaLink, createdAt: record.createdAt } } },
            {
              Update: {
                TableName,
                Key: keys.clientCount(record.appId, hourOf(new Date(record.createdAt))),
                UpdateExpression: 'SET entity = :entity ADD newClients :one',
                ExpressionAttributeValues: { ':entity': ENTITY.clientCount, ':one': 1 },
              },
            },
            ...(joined ? [this.joinedTally(record.solutionId, 1)] : []),
          ],
        }),
      );
      return 'recorded';
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return 'known';
      throw error;
    }
  }

  async applyClientMove(key: ClientKey, move: ItemMove): Promise<MoveResult<ClientRecord>> {
    const result = move.tally ? await this.updateWithTally(key, move, move.tally) : await this.update(key, move);
    if (result.applied) await trimHistory(this.table, keys.client(key.solutionId, key.wabaId), result.item.history?.length ?? 0);
    return result;
  }

  private update(key: ClientKey, move: ItemMove): Promise<MoveResult<ClientRecord>> {
    return applyUpdate(this.table, keys.client(key.solutionId, key.wabaId), move, clientRecordOf);
  }

  /** The move and its solution's joined count, both or neither (a transaction returns no item: it is read after). */
  private async updateWithTally(key: ClientKey, move: ItemMove, tally: number): Promise<MoveResult<ClientRecord>> {
    try {
      await this.table.db.send(new TransactWriteCommand({ TransactItems: [{ Update: moveUpdate(this.table, keys.client(key.solutionId, key.wabaId), move) }, this.joinedTally(key.solutionId, tally)] }));
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return { applied: false, refusedBy: 'item' };
      throw error;
    }
    const item = await this.getClient(key);
    if (!item) throw new Error(`client ${key.solutionId}/${key.wabaId} vanished after its ${move.transition}`);
    return { applied: true, item };
  }

  /** One more (or fewer) business joined through the solution. */
  private joinedTally(solutionId: string, add: number) {
    return {
      Update: {
        TableName: this.table.tableName,
        Key: keys.joinedCount(solutionId),
        UpdateExpression: 'SET entity = :entity ADD joined :add',
        ExpressionAttributeValues: { ':entity': ENTITY.joinedCount, ':add': add },
      },
    };
  }

  async noteWabaLeft(wabaId: string, event: ClientLeaveEvent, at: Date): Promise<void> {
    try {
      await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.wabaLeft(wabaId),
          UpdateExpression: 'SET entity = :entity, leftAt = :at, #event = :event',
          // Only a later leaving replaces an earlier one: deliveries come out of order.
          ConditionExpression: 'attribute_not_exists(leftAt) OR leftAt < :at',
          ExpressionAttributeNames: { '#event': 'event' },
          ExpressionAttributeValues: { ':entity': ENTITY.wabaLeft, ':at': at.toISOString(), ':event': event },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async wabaLeft(wabaId: string): Promise<WabaLeft | undefined> {
    const { Item } = await this.table.db.send(new GetCommand({ TableName: this.table.tableName, Key: keys.wabaLeft(wabaId), ConsistentRead: true }));
    return Item && { leftAt: Item.leftAt as string, event: Item.event as ClientLeaveEvent };
  }

  async clientsOfWaba(wabaId: string): Promise<ClientRecord[]> {
    const { pk, sk: prefix } = keys.wabaLink(wabaId, '');
    const links = await this.table.queryAll<{ sk: string }>({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix } });
    const solutionIds = links.map((link) => link.sk.slice(prefix.length));
    const found = await Promise.all(solutionIds.map((solutionId) => this.getClient({ solutionId, wabaId })));
    return found.filter((c): c is ClientRecord => c !== undefined);
  }

  async clientsOfSolution(solutionId: string): Promise<ClientRecord[]> {
    const { pk, skPrefix } = keys.clientsOfSolution(solutionId);
    const items = await this.table.queryAll({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix } });
    return items.map(clientRecordOf);
  }

  /** One read of the solution's joined count, kept with each client's arrival and departure: not a read of every client. */
  async countJoined(solutionId: string): Promise<number> {
    const { Item } = await this.table.db.send(new GetCommand({ TableName: this.table.tableName, Key: keys.joinedCount(solutionId) }));
    return (Item?.joined as number | undefined) ?? 0;
  }

  async joinedSince(appId: string, since: Date): Promise<number> {
    const from = keys.clientCount(appId, hourOf(since));
    const hours = await this.table.queryAll<{ newClients?: number }>({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': from.pk, ':from': from.sk, ':to': keys.clientCount(appId, '~').sk },
    });
    return hours.reduce((sum, hour) => sum + (hour.newClients ?? 0), 0);
  }

  async clientsInStatus(status: ClientStatus, opts: { filter?: Condition; updatedBefore?: Date; limit: number }): Promise<ClientRecord[]> {
    return (await this.byStatus.find(status, opts)).map(clientRecordOf);
  }

  async *newestClientsInStatus(status: ClientStatus, window: StatusWindow, pageSize: number): AsyncGenerator<ClientRecord> {
    for await (const item of this.byStatus.newest(status, window, pageSize)) yield clientRecordOf(item);
  }

  countClientsInStatus(status: ClientStatus): Promise<number> {
    return this.byStatus.count(status);
  }
}

/** The daily pass's place in the listing: one item, `after` absent when the listing was read to its end. */
export function dynamoDiscoveryCursor(table: DynamoTable): DiscoveryCursor {
  const Key = keys.discoveryCursor();
  return {
    async read() {
      const { Item } = await table.db.send(new GetCommand({ TableName: table.tableName, Key, ConsistentRead: true }));
      return Item?.after as string | undefined;
    },
    async save(after) {
      const update =
        after === undefined
          ? { UpdateExpression: 'SET entity = :entity REMOVE #after', ExpressionAttributeValues: { ':entity': ENTITY.discoveryCursor } }
          : { UpdateExpression: 'SET entity = :entity, #after = :after', ExpressionAttributeValues: { ':entity': ENTITY.discoveryCursor, ':after': after } };
      await table.db.send(new UpdateCommand({ TableName: table.tableName, Key, ExpressionAttributeNames: { '#after': 'after' }, ...update }));
    },
  };
}
