import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomically } from './atomic-file';
import type { ShardCheckpoints } from './stream-event-source';

/** Stream checkpoints in a JSON file under DATA_DIR, keyed by stream and shard. */
export function checkpointFile(path: string, streamArn: string): ShardCheckpoints {
  const all: Record<string, Record<string, string>> = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  const mine = (all[streamArn] ??= {});
  return {
    get: (shardId) => mine[shardId],
    set: (shardId, sequenceNumber) => {
      mine[shardId] = sequenceNumber;
      // Rewritten on every batch: a kill -9 may land mid-write, and the next start reads it.
      writeFileAtomically(path, JSON.stringify(all));
    },
  };
}
