import { renameSync, writeFileSync } from 'node:fs';

/**
 * Writes `text` to `path` whole or not at all (a write beside it, then a rename): a runtime killed
 * mid-write leaves the old file, never a truncated one that the next start could not read. `mode`: a
 * new file's permissions.
 */
export function writeFileAtomically(path: string, text: string, mode?: number): void {
  const partial = `${path}.partial`;
  writeFileSync(partial, text, { mode });
  renameSync(partial, path);
}
