import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * One directory of function bundles for every runtime the tests start (BUNDLES_DIR), built once
 * before them (runtime-global-setup.ts): a runtime then finds them built from the same sources and
 * skips its own esbuild run, several seconds of CPU per start. One per checkout, so that two
 * checkouts on this machine do not share it.
 */
export const TEST_BUNDLES_DIR = join(tmpdir(), `mps-test-bundles-${createHash('sha256').update(resolve(import.meta.dirname, '../..')).digest('hex').slice(0, 12)}`);
