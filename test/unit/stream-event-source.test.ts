import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { SHARD_POLL_MS, startStreamEventSource } from '../../local/runtime/stream-event-source';

/**
 * The local stream event source's parallelization factor: batches of one shard at once, each
 * partition key's records in order in one of them, and a checkpoint that never passes a record
 * not yet done with. The stream is a stand-in holding one shard of records.
 */
const STREAM = 'arn:aws:dynamodb:local:000000000000:table/t/stream/1';

function streamOf(keys: string[]) {
  const records = keys.map((pk, i) => ({
    eventID: `e${i}`,
    eventName: 'MODIFY',
    dynamodb: { Keys: { pk: { S: pk } }, NewImage: { pk: { S: pk }, n: { N: String(i) } }, SequenceNumber: String(100 + i), ApproximateCreationDateTime: new Date() },
  }));
  let served = false;
  const send = async (command: unknown) => {
    if (command instanceof DescribeStreamCommand) return { StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } };
    if (command instanceof GetShardIteratorCommand) return { ShardIterator: 'it-1' };
    if (command instanceof GetRecordsCommand) {
      const batch = served ? [] : records;
      served = true;
      return { Records: batch, NextShardIterator: 'it-1' };
    }
    throw new Error('unexpected command');
  };
  return { send } as unknown as DynamoDBStreamsClient;
}

function run(keys: string[], invoke: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>, parallelizationFactor: number) {
  const checkpoints = new Map<string, string>();
  const onFailure: unknown[] = [];
  const source = startStreamEventSource({
    streams: streamOf(keys),
    streamArn: STREAM,
    settings: { batchSize: 1, startingPosition: 'TRIM_HORIZON', bisectBatchOnError: true, parallelizationFactor, retryAttempts: 5, maxRecordAgeSeconds: 3600, filterPattern: { eventName: ['MODIFY'] } },
    onFailure: { sqs: { send: async (c: unknown) => void onFailure.push(c) } as unknown as SQSClient, queueUrl: 'q', functionArn: 'fn' },
    checkpoints: { get: (id) => checkpoints.get(id), set: (id, seq) => void checkpoints.set(id, seq) },
    invoke,
    onError: () => undefined,
  });
  return { source, checkpoints, onFailure };
}

const keyOf = (event: DynamoDBStreamEvent) => event.Records[0]!.dynamodb!.Keys!.pk!.S!;
const seqOf = (event: DynamoDBStreamEvent) => Number(event.Records[0]!.dynamodb!.SequenceNumber);

describe('stream event source: parallelization factor', () => {
  test('runs batches of different partition keys at once, each key’s records one at a time and in order', async () => {
    const keys = ['a', 'b', 'c', 'd', 'a', 'b', 'c', 'd', 'a', 'b', 'c', 'd'];
    let inFlight = 0;
    let most = 0;
    const busyKeys = new Set<string>();
    const seen = new Map<string, number[]>();
    const { source, checkpoints } = run(
      keys,
      async (event) => {
        const key = keyOf(event);
        expect(busyKeys.has(key)).toBe(false);
        busyKeys.add(key);
        most = Math.max(most, ++inFlight);
        await sleep(30);
        seen.set(key, [...(seen.get(key) ?? []), seqOf(event)]);
        busyKeys.delete(key);
        inFlight--;
      },
      10,
    );
    await waitFor(() => checkpoints.get('shard-1') === '111');
    await source.stop();
    expect(most).toBeGreaterThan(1);
    for (const [key, seqs] of seen) expect(seqs).toEqual(keys.flatMap((k, i) => (k === key ? [100 + i] : [])));
  });

  test('a slow batch holds back only its own key: the other lanes go on meanwhile', async () => {
    const keys = ['slow', 'a', 'b', 'a', 'b', 'a', 'b'];
    const finishedWhileSlow: string[] = [];
    let slowRunning = false;
    const { source, checkpoints } = run(
      keys,
      async (event) => {
        if (keyOf(event) === 'slow') {
          slowRunning = true;
          await sleep(400);
          slowRunning = false;
          return;
        }
        await sleep(20);
        if (slowRunning) finishedWhileSlow.push(keyOf(event));
      },
      10,
    );
    await waitFor(() => checkpoints.get('shard-1') === '106');
    await source.stop();
    // Lanes in lock-step would run one batch per lane, then wait for the slow one: two at most.
    expect(finishedWhileSlow.length).toBe(6);
  });

  test('with a factor of 1, one batch at a time, in shard order', async () => {
    const order: number[] = [];
    let inFlight = 0;
    let most = 0;
    const { source, checkpoints } = run(['a', 'b', 'c', 'a'], async (event) => {
      most = Math.max(most, ++inFlight);
      await sleep(10);
      order.push(seqOf(event));
      inFlight--;
    }, 1);
    await waitFor(() => checkpoints.get('shard-1') === '103');
    await source.stop();
    expect([most, order]).toEqual([1, [100, 101, 102, 103]]);
  });

  test('a failing key is retried while the others go on; the checkpoint waits before its record until it is done', async () => {
    let failures = 2;
    const handled: string[] = [];
    const { source, checkpoints } = run(['a', 'b', 'c', 'd'], async (event) => {
      if (keyOf(event) === 'a' && failures-- > 0) throw new Error('table unavailable');
      handled.push(keyOf(event));
    }, 10);
    await waitFor(() => handled.length >= 3);
    // b, c and d are done, a is not: nothing past a's record (100) is checkpointed yet.
    expect(handled).not.toContain('a');
    expect(checkpoints.get('shard-1')).toBeUndefined();
    await waitFor(() => checkpoints.get('shard-1') === '103');
    await source.stop();
    expect(handled.at(-1)).toBe('a');
  });
});

describe('stream event source: how often it reads', () => {
  test('a shard is read at most 4 times a second, as Lambda documents, whether its reads find records or not', async () => {
    expect(SHARD_POLL_MS).toBe(250);
    for (const flowing of [true, false]) {
      const readAt: number[] = [];
      const send = async (command: unknown) => {
        if (command instanceof DescribeStreamCommand) return { StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } };
        if (command instanceof GetShardIteratorCommand) return { ShardIterator: 'it-1' };
        if (command instanceof GetRecordsCommand) {
          readAt.push(Date.now());
          const n = readAt.length;
          const records = flowing ? [{ eventID: `e${n}`, eventName: 'MODIFY', dynamodb: { Keys: { pk: { S: `k${n}` } }, NewImage: {}, SequenceNumber: String(n), ApproximateCreationDateTime: new Date() } }] : [];
          return { Records: records, NextShardIterator: 'it-1' };
        }
        throw new Error('unexpected command');
      };
      const source = startStreamEventSource({
        streams: { send } as unknown as DynamoDBStreamsClient,
        streamArn: STREAM,
        settings: { batchSize: 10, startingPosition: 'TRIM_HORIZON', bisectBatchOnError: true, parallelizationFactor: 10, retryAttempts: 5, maxRecordAgeSeconds: 3600, filterPattern: { eventName: ['MODIFY'] } },
        onFailure: { sqs: { send: async () => undefined } as unknown as SQSClient, queueUrl: 'q', functionArn: 'fn' },
        checkpoints: { get: () => undefined, set: () => undefined },
        invoke: async () => undefined,
        onError: () => undefined,
      });
      await sleep(1_100);
      await source.stop();
      // Reads at 0, 250, 500, 750 and 1,000 ms at the most.
      expect(readAt.length).toBeGreaterThanOrEqual(2);
      expect(readAt.length).toBeLessThanOrEqual(5);
      for (let i = 1; i < readAt.length; i++) expect(readAt[i]! - readAt[i - 1]!).toBeGreaterThanOrEqual(SHARD_POLL_MS - 5);
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}
