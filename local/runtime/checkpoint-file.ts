import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ShardCheckpoints } from './stream-event-source';

/** Stream checkpoints in a JSON file under DATA_DIR, keyed by stream and shard. */
export function checkpointFile(path: string, streamArn: string): ShardCheckpoints {
  const all: Record<string, Record<string, string>> = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  const mine = (all[streamArn] ??= {});
  return {
    get: (shardId) => mine[shardId],
    set: (shardId, sequenceNumber) => {
      mine[shardId] = sequenceNumber;
      writeFileSync(path, JSON.stringify(all));
    },
  };
}
