import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientStore, type ClientStore } from '../domain/clients/client-records';
import { DynamoClientStore } from './client-store';
import { recordStore, type RecordStore } from '../domain/records/record-store';
import type { RefusedTransitionReport } from '../domain/records/transition-writer';
import { DynamoTable } from './dynamo-table';
import { DynamoOnboardings } from './onboarding-store';
import { DynamoSolutionItems } from './solution-item-store';
import { DynamoSolutionQueries } from './solution-queries';

/** The record store on the pipeline's DynamoDB table: each use case's part, behind the domain's ports. */
export function dynamoRecordStore(db: DynamoDBDocumentClient, tableName: string, reportRefused?: RefusedTransitionReport): RecordStore {
  const table = new DynamoTable(db, tableName);
  const items = new DynamoSolutionItems(table);
  return recordStore({ items, guards: items, queries: new DynamoSolutionQueries(table), onboardings: new DynamoOnboardings(table), reportRefused });
}

/** The clients' store on the same table. */
export function dynamoClientStore(db: DynamoDBDocumentClient, tableName: string, reportRefused?: RefusedTransitionReport): ClientStore {
  const store = new DynamoClientStore(new DynamoTable(db, tableName));
  return clientStore({ items: store, queries: store, reportRefused });
}
