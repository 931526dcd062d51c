import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readRuntimeFile, type RuntimeEndpoints } from '../../local/runtime/runtime-file';
import { TEST_BUNDLES_DIR } from './shared-bundles';

const ROOT = resolve(import.meta.dirname, '../..');
/**
 * The tests' runtime sees the schedule's waits (backoffs, settling times, the reconciler's thresholds)
 * at a tenth (TIME_SCALE, lambdas/schedule.ts), so that no test waits real minutes for a retry; a test
 * that compares the runtime with the deployed stack asks for TIME_SCALE 1.
 */
export const TEST_TIME_SCALE = '0.1';

export interface RuntimeProcessOptions {
  env?: Record<string, string>;
  /** An existing data directory (kept); a fresh temporary one (removed on stop) when absent. */
  dataDir?: string;
  /** Arguments after `npm start --`, such as `--reset`. */
  args?: string[];
  /** Start in a process group of its own, as a terminal does, so that a test can signal the group. */
  ownProcessGroup?: boolean;
}

export interface RuntimeProcess {
  endpoints: RuntimeEndpoints;
  dataDir: string;
  child: ChildProcess;
  /** Everything the runtime printed (its JSON logs included), for assertions and failure reports. */
  output: () => string;
  /** Sends `signal` (SIGTERM by default; to the whole group if it has its own) and resolves with the exit code once it stopped. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/**
 * Runs `npm start`'s program as a user would, on free ports, and resolves once the `runtime.json`
 * it writes shows every endpoint up; rejects with its output if it exits first.
 */
export async function startRuntimeProcess(options: RuntimeProcessOptions = {}, timeoutMs = 60_000): Promise<RuntimeProcess> {
  const spawnedAt = new Date().toISOString();
  const started = spawnRuntime(options);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // Written once every endpoint is up, removed on stop; one left by a runtime killed outright is older than this start.
    const endpoints = readRuntimeFile(started.dataDir);
    if (endpoints && endpoints.startedAt >= spawnedAt) return { ...started, endpoints };
    if (started.child.exitCode !== null) break;
    await sleep(100);
  }
  await started.stop().catch(() => undefined);
  throw new Error(`local runtime did not start (exit code ${started.child.exitCode}, signal ${started.child.signalCode}):\n${started.output()}`);
}

/** Starts the runtime without waiting for it (for tests of start-up failures). */
export function spawnRuntime(options: RuntimeProcessOptions = {}) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'mps-runtime-'));
  // As `npm start` runs it: one Node process with tsx's loader, no wrapper between it and its signals.
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--import', 'tsx', 'local/start.ts', ...(options.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'INFO', TIME_SCALE: TEST_TIME_SCALE, BUNDLES_DIR: TEST_BUNDLES_DIR, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownProcessGroup ?? false,
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Output may still be on its way when the process has exited: 'close' comes once it has all arrived.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) {
      if (options.ownProcessGroup && child.pid) process.kill(-child.pid, signal);
      else child.kill(signal);
    }
    let forced = false;
    const patience = setTimeout(() => {
      forced = true;
      child.kill('SIGKILL');
    }, 20_000);
    const code = await exited;
    clearTimeout(patience);
    await Promise.race([closed, sleep(2_000)]);
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (forced) throw new Error(`local runtime did not stop within 20 s of ${signal}:\n${output}`);
    return code;
  };
  return { dataDir, child, output: () => output, stop, exited };
}
