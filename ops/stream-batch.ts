import { GetRecordsCommand, GetShardIteratorCommand, type DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { z } from 'zod';
import { ENTITY } from '../lambdas/store/table-layout';

/** What Lambda sends an on-failure destination for a stream batch it gave up on: where the batch was, not its records. */
const onFailureSchema = z.object({
  DDBStreamBatchInfo: z.object({
    shardId: z.string().min(1),
    startSequenceNumber: z.string().regex(/^\d+$/),
    endSequenceNumber: z.string().regex(/^\d+$/),
    streamArn: z.string().min(1),
    batchSize: z.number().int().optional(),
  }),
});

export type StreamBatch = z.infer<typeof onFailureSchema>['DDBStreamBatchInfo'];

export function readOnFailure(body: string): StreamBatch | undefined {
  try {
    return onFailureSchema.parse(JSON.parse(body)).DDBStreamBatchInfo;
  } catch {
    return undefined;
  }
}

/** A bound on the reads of one batch: a batch is at most the mapping's batch size, usually read in one. */
const MAX_READS = 20;

export type BatchContents =
  | { items: { onboardingId: string; appId: string }[] }
  /** The stream no longer holds the batch (DynamoDB keeps a stream's records for 24 hours). */
  | { gone: true }
  /** The reads ran out before the batch's last record: not known whole. */
  | { incomplete: true };

/** The solution items a stream batch concerned, read back from the stream by its sequence numbers. */
export async function solutionsInBatch(streams: DynamoDBStreamsClient, batch: StreamBatch): Promise<BatchContents> {
  const end = BigInt(batch.endSequenceNumber);
  const items = new Map<string, { onboardingId: string; appId: string }>();
  try {
    let { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: batch.streamArn, ShardId: batch.shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: batch.startSequenceNumber }),
    );
    for (let read = 0; ShardIterator && read < MAX_READS; read++) {
      const { Records = [], NextShardIterator } = await streams.send(new GetRecordsCommand({ ShardIterator, Limit: 100 }));
      for (const record of Records) {
        const sequence = BigInt(record.dynamodb?.SequenceNumber ?? '0');
        if (sequence > end) return { items: [...items.values()] };
        const image = record.dynamodb?.NewImage ?? record.dynamodb?.OldImage;
        const item = image && unmarshall(image as Parameters<typeof unmarshall>[0]);
        if (item?.entity === ENTITY.solution) items.set(`${item.onboardingId}/${item.appId}`, { onboardingId: String(item.onboardingId), appId: String(item.appId) });
        if (sequence === end) return { items: [...items.values()] };
      }
      ShardIterator = NextShardIterator;
    }
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'TrimmedDataAccessException' || name === 'ResourceNotFoundException') return { gone: true };
    throw error;
  }
  return { incomplete: true };
}
