import { setTimeout as sleep } from 'node:timers/promises';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { matchesFilter, type FilterPattern } from './event-filter';
import type { EventSource } from './event-source';

export interface StreamEventSourceOptions {
  streams: DynamoDBStreamsClient;
  streamArn: string;
  settings: {
    batchSize: number;
    startingPosition: 'TRIM_HORIZON' | 'LATEST';
    bisectBatchOnError: boolean;
    /** Concurrent batches per shard (Lambda's ParallelizationFactor, 1–10). */
    parallelizationFactor: number;
    retryAttempts: number;
    maxRecordAgeSeconds: number;
    filterPattern: FilterPattern;
  };
  onFailure: { sqs: SQSClient; queueUrl: string; functionArn: string };
  /** Where each shard's position survives a restart, as Lambda keeps it for an event source mapping. */
  checkpoints: ShardCheckpoints;
  invoke: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  onError: (error: unknown) => void;
}

export interface ShardCheckpoints {
  /** Sequence number of the last record of the shard that is done with (handled, filtered out or given up on). */
  get(shardId: string): string | undefined;
  set(shardId: string, sequenceNumber: string): void;
}

interface ShardState {
  /** undefined once the shard is closed and read to its end. */
  iterator: string | undefined;
  /** When GetRecords last ran on it (ms). */
  readAt: number;
  /** Sequence number of the last record GetRecords returned, read or not. */
  lastRead?: string;
  /** One per concurrent batch (parallelization factor): an item (partition and sort key) always goes to the same lane. */
  lanes: Lane[];
  /** Filtered records read and not yet done with, in shard order: the checkpoint stops before the first. */
  outstanding: { sequenceNumber: string; done: boolean }[];
}

interface Lane {
  /** Its records read from the shard and not yet handled, oldest first. */
  pending: DynamoDBRecord[];
  /** Failed invocations of the batch at the head of `pending`. */
  attempts: number;
  /** Current batch size: halves on each function error when bisecting, back to full on success. */
  batchLimit: number;
  /** Its batch is being handled: lanes run on their own, none waits for another's batch. */
  busy: boolean;
  /** After a failure, the batch is retried no sooner than this (epoch ms). */
  retryAt: number;
}

/**
 * GetRecords on one shard at most this often, records or not: Lambda "polls shards in your DynamoDB
 * stream for records at a base rate of 4 times per second" (Lambda developer guide, "Using Lambda
 * with DynamoDB"), and this emulation never polls faster than that. Between reads, a lane whose batch
 * ended starts its next at once with what was read.
 */
export const SHARD_POLL_MS = 1000 / 4;
/** New shards (DynamoDB rolls them over) are looked for this often. */
const DISCOVER_EVERY_MS = 1_000;
const MAX_BACKOFF_MS = 5_000;

/**
 * Lambda's DynamoDB stream event source mapping, locally: filter criteria applied before batching;
 * per shard up to `parallelizationFactor` batches at once, each item's records (partition and sort
 * key: Lambda's documented order) in order in one of them, each lane going on as soon as its own
 * batch ends (the shard is read meanwhile);
 * partial batch failures retried from the first failed record, bisect on error, bounded
 * retries and record age, then the batch's description goes to the on-failure queue. A shard's
 * checkpoint stops before its oldest record not yet done with, so a restart redelivers (at least
 * once) rather than skips.
 */
export function startStreamEventSource(opts: StreamEventSourceOptions): EventSource {
  let running = true;
  const shards = new Map<string, ShardState>();
  const finished = new Set<string>();
  const batches = new Set<Promise<void>>();
  let discoveredAt = 0;
  let wake: (() => void) | undefined;

  const startBatch: StartBatch = (shardId, shard, lane) => {
    lane.busy = true;
    const batch = pumpLane(opts, shardId, lane)
      .then((done) => markDone(opts, shardId, shard, done), opts.onError)
      .finally(() => {
        lane.busy = false;
        batches.delete(batch);
        wake?.();
      });
    batches.add(batch);
  };

  const loop = (async () => {
    while (running) {
      let worked = false;
      try {
        if (Date.now() - discoveredAt >= DISCOVER_EVERY_MS) {
          await discoverShards(opts, shards, finished);
          discoveredAt = Date.now();
        }
        for (const [shardId, shard] of shards) {
          if (!running) break;
          worked = (await pumpShard(opts, shardId, shard, startBatch)) || worked;
          if (shard.iterator === undefined && shard.outstanding.length === 0 && !shard.lanes.some((l) => l.busy)) {
            shards.delete(shardId);
            finished.add(shardId);
          }
        }
      } catch (error) {
        if (running) opts.onError(error);
      }
      // Until the next shard read is due, or a batch ends.
      const nextRead = Math.min(SHARD_POLL_MS, ...[...shards.values()].map((s) => s.readAt + SHARD_POLL_MS - Date.now()));
      if (!worked && running) await idle(Math.max(1, nextRead));
    }
    await Promise.all(batches);
  })();

  /** Until the poll interval passes or a batch ends, whichever comes first. */
  async function idle(ms: number): Promise<void> {
    const ac = new AbortController();
    await Promise.race([sleep(ms, undefined, { signal: ac.signal }).catch(() => undefined), new Promise<void>((resolve) => (wake = resolve))]);
    ac.abort();
    wake = undefined;
  }

  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

async function discoverShards(opts: StreamEventSourceOptions, shards: Map<string, ShardState>, finished: Set<string>): Promise<void> {
  const { StreamDescription } = await opts.streams.send(new DescribeStreamCommand({ StreamArn: opts.streamArn }));
  const known = new Set((StreamDescription?.Shards ?? []).map((s) => s.ShardId));
  for (const shard of StreamDescription?.Shards ?? []) {
    const id = shard.ShardId;
    if (!id || shards.has(id) || finished.has(id)) continue;
    // A child shard starts only once its parent is fully processed (per-key order across splits).
    const parent = shard.ParentShardId;
    if (parent && known.has(parent) && !finished.has(parent)) continue;
    const startAt = parent && finished.has(parent) ? 'TRIM_HORIZON' : opts.settings.startingPosition;
    const lanes = Array.from({ length: opts.settings.parallelizationFactor }, (): Lane => ({ pending: [], attempts: 0, batchLimit: opts.settings.batchSize, retryAt: 0, busy: false }));
    shards.set(id, { iterator: await shardIterator(opts, id, startAt), readAt: 0, lanes, outstanding: [] });
  }
}

/** An iterator after the shard's checkpoint, or at `startAt` for a shard never read. */
async function shardIterator(opts: StreamEventSourceOptions, shardId: string, startAt: 'TRIM_HORIZON' | 'LATEST'): Promise<string | undefined> {
  const checkpoint = opts.checkpoints.get(shardId);
  const { ShardIterator } = await opts.streams.send(
    new GetShardIteratorCommand({
      StreamArn: opts.streamArn,
      ShardId: shardId,
      ...(checkpoint ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: checkpoint } : { ShardIteratorType: startAt }),
    }),
  );
  return ShardIterator;
}

/** Marks `records` done, and the shard done up to its oldest record still outstanding (or all it read). */
function markDone(opts: StreamEventSourceOptions, shardId: string, shard: ShardState, records: readonly DynamoDBRecord[]): void {
  const done = new Set(records.map((r) => r.dynamodb?.SequenceNumber));
  for (const entry of shard.outstanding) if (done.has(entry.sequenceNumber)) entry.done = true;
  let lastDone: string | undefined;
  while (shard.outstanding[0]?.done) lastDone = shard.outstanding.shift()!.sequenceNumber;
  const sequenceNumber = shard.outstanding.length === 0 ? shard.lastRead : lastDone;
  if (sequenceNumber) opts.checkpoints.set(shardId, sequenceNumber);
}

/** Which lane a record's item (its whole key) belongs to: the same item, the same lane, always. */
function laneOf(record: DynamoDBRecord, lanes: number): number {
  const key = JSON.stringify(record.dynamodb?.Keys ?? {});
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
  return hash % lanes;
}

type StartBatch = (shardId: string, shard: ShardState, lane: Lane) => void;

/** Reads the shard's next records into their lanes, then starts a batch in every idle lane that is due; true when it did any work. */
async function pumpShard(opts: StreamEventSourceOptions, shardId: string, shard: ShardState, startBatch: StartBatch): Promise<boolean> {
  let worked = false;
  if (shard.iterator && Date.now() - shard.readAt >= SHARD_POLL_MS) {
    shard.readAt = Date.now();
    const Records = await readShard(opts, shardId, shard);
    const matching = Records.map((r) => toLambdaRecord(r, opts.streamArn)).filter((r) => matchesFilter(opts.settings.filterPattern, r));
    for (const record of matching) {
      shard.lanes[laneOf(record, shard.lanes.length)]!.pending.push(record);
      shard.outstanding.push({ sequenceNumber: record.dynamodb!.SequenceNumber!, done: false });
    }
    // Filtered out, they are done with at once: the checkpoint may pass them.
    if (matching.length === 0) markDone(opts, shardId, shard, []);
    worked = matching.length > 0;
  }
  for (const lane of shard.lanes) {
    if (lane.busy || lane.pending.length === 0 || lane.retryAt > Date.now()) continue;
    startBatch(shardId, shard, lane);
    worked = true;
  }
  return worked;
}

/** Handles one batch of a lane; returns the records it is done with (handled, or given up on). */
async function pumpLane(opts: StreamEventSourceOptions, shardId: string, lane: Lane): Promise<DynamoDBRecord[]> {
  const expired = lane.pending.filter((r) => ageSeconds(r) > opts.settings.maxRecordAgeSeconds);
  if (expired.length > 0) {
    await sendToOnFailure(opts, shardId, expired, 'RecordAgeExceeded', lane.attempts);
    lane.pending = lane.pending.filter((r) => !expired.includes(r));
    return expired;
  }

  const batch = lane.pending.slice(0, lane.batchLimit);
  let failedAt: number;
  try {
    const response = await opts.invoke({ Records: batch });
    const failedIds = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
    // Lambda checkpoints before the first failed record (lowest sequence number) and retries from
    // it; an identifier that names no record of the batch fails the whole batch.
    const positions = failedIds.map((id) => batch.findIndex((r) => r.dynamodb?.SequenceNumber === id));
    failedAt = positions.length === 0 ? -1 : positions.includes(-1) ? 0 : Math.min(...positions);
  } catch (error) {
    opts.onError(error);
    failedAt = 0;
    if (opts.settings.bisectBatchOnError) lane.batchLimit = Math.max(1, Math.ceil(batch.length / 2));
  }

  if (failedAt === -1) {
    lane.pending.splice(0, batch.length);
    lane.attempts = 0;
    lane.batchLimit = opts.settings.batchSize;
    return batch;
  }
  const handled = lane.pending.splice(0, failedAt);
  lane.attempts += 1;
  if (lane.attempts > opts.settings.retryAttempts) {
    const dropped = lane.pending.splice(0, Math.max(1, batch.length - failedAt));
    await sendToOnFailure(opts, shardId, dropped, 'RetryAttemptsExhausted', lane.attempts);
    lane.attempts = 0;
    lane.batchLimit = opts.settings.batchSize;
    return [...handled, ...dropped];
  }
  lane.retryAt = Date.now() + Math.min(MAX_BACKOFF_MS, 100 * 2 ** lane.attempts);
  return handled;
}

/** The next records of a shard; an expired or trimmed iterator is replaced by one after the checkpoint. */
async function readShard(opts: StreamEventSourceOptions, shardId: string, shard: ShardState): Promise<StreamRecord[]> {
  try {
    const { Records = [], NextShardIterator } = await opts.streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
    shard.iterator = NextShardIterator;
    shard.lastRead = Records.at(-1)?.dynamodb?.SequenceNumber ?? shard.lastRead;
    return Records;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== 'ExpiredIteratorException' && name !== 'TrimmedDataAccessException') throw error;
    shard.iterator = await shardIterator(opts, shardId, 'TRIM_HORIZON');
    return [];
  }
}

/** The message Lambda sends to an SQS on-failure destination for a stream batch: metadata, no data. */
async function sendToOnFailure(opts: StreamEventSourceOptions, shardId: string, records: DynamoDBRecord[], condition: string, attempts: number): Promise<void> {
  const first = records[0]?.dynamodb;
  const last = records.at(-1)?.dynamodb;
  const body = {
    requestContext: { requestId: crypto.randomUUID(), functionArn: opts.onFailure.functionArn, condition, approximateInvokeCount: attempts },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId,
      startSequenceNumber: first?.SequenceNumber,
      endSequenceNumber: last?.SequenceNumber,
      approximateArrivalOfFirstRecord: first?.ApproximateCreationDateTime && new Date(first.ApproximateCreationDateTime * 1000).toISOString(),
      approximateArrivalOfLastRecord: last?.ApproximateCreationDateTime && new Date(last.ApproximateCreationDateTime * 1000).toISOString(),
      batchSize: records.length,
      streamArn: opts.streamArn,
    },
  };
  await opts.onFailure.sqs.send(new SendMessageCommand({ QueueUrl: opts.onFailure.queueUrl, MessageBody: JSON.stringify(body) }));
}

function ageSeconds(record: DynamoDBRecord): number {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return created === undefined ? 0 : Date.now() / 1000 - created;
}

function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const d = record.dynamodb ?? {};
  const created = d.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? 'us-east-1',
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: created ? Math.floor(new Date(created).getTime() / 1000) : Math.floor(Date.now() / 1000),
      Keys: d.Keys as Record<string, AttributeValue> as never,
      NewImage: d.NewImage as never,
      OldImage: d.OldImage as never,
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType,
    },
  };
}
