import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readRuntimeFile, type RuntimeEndpoints } from '../../local/runtime/runtime-file';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

export interface RuntimeProcess {
  endpoints: RuntimeEndpoints;
  child: ChildProcess;
  /** Everything the runtime printed (its JSON logs included), for assertions and failure reports. */
  output: () => string;
  /** Sends SIGTERM and resolves with the exit code once the runtime (and its children) stopped. */
  stop: () => Promise<number | null>;
}

/**
 * Starts `npm start`'s program as a user would, on free ports and a fresh DATA_DIR, and waits for
 * the `runtime.json` it writes once every endpoint is up.
 */
export async function startRuntimeProcess(env: Record<string, string> = {}, timeoutMs = 60_000): Promise<RuntimeProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mps-runtime-'));
  const child = spawn(TSX, ['local/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'INFO', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    let forced = false;
    const patience = setTimeout(() => {
      forced = true;
      child.kill('SIGKILL');
    }, 20_000);
    const code = await exited;
    clearTimeout(patience);
    rmSync(dataDir, { recursive: true, force: true });
    if (forced) throw new Error(`local runtime did not stop within 20 s of SIGTERM:\n${output}`);
    return code;
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const endpoints = readRuntimeFile(dataDir);
    if (endpoints) return { endpoints, child, output: () => output, stop };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  await stop().catch(() => undefined);
  throw new Error(`local runtime did not start:\n${output}`);
}
