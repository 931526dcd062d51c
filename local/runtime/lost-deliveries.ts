import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UNDER_WAY } from '../../lambdas/domain/status-sets';
import { dynamoRecordStore } from '../../lambdas/store/dynamo-record-store';

/** Far more than a local table holds under way; each status is read whole, page by page. */
const ALL = { limit: 100_000, maxPages: 1_000 };

/**
 * Unlike SQS, the local queues live in memory: a restart loses every create message, and with them
 * the Tech Providers' tokens. Every solution still under way is told that no delivery is coming, so
 * that the reconciler settles it (adopts what Graph has, ends the rest CREATE_ABANDONED) at once
 * rather than after its stall time. Returns how many there were.
 */
export async function withdrawLostDeliveries(table: { endpoint: string; region: string; tableName: string }): Promise<number> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint, region: table.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  try {
    const store = dynamoRecordStore(client, table.tableName);
    let withdrawn = 0;
    for (const status of UNDER_WAY) {
      for (const item of await store.findByStatus(status, ALL)) {
        if (await store.recordNoMoreDeliveries(item.onboardingId, item.appId)) withdrawn++;
      }
    }
    return withdrawn;
  } finally {
    client.destroy();
  }
}
