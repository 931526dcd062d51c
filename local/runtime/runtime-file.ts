import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every endpoint a running local runtime started, for the ops CLI, scripts and tests. */
export interface RuntimeEndpoints {
  pid: number;
  startedAt: string;
  http: string;
  dynamodb: string;
  sqs: string;
  secretsManager: string;
  graph: string;
  region: string;
  tableName: string;
  queues: { createSolution: string; createSolutionDlq: string; acceptSolutionFailures: string };
}

export const runtimeFile = (dataDir: string) => join(dataDir, 'runtime.json');

export function readRuntimeFile(dataDir: string): RuntimeEndpoints | undefined {
  const file = runtimeFile(dataDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as RuntimeEndpoints;
}

/** Refuses to start a second runtime on the same data directory while the first one lives. */
export function assertNotRunning(dataDir: string): void {
  const running = readRuntimeFile(dataDir);
  if (running && isAlive(running.pid)) {
    throw new Error(`A local runtime is already running for ${dataDir} (pid ${running.pid}, ${running.http}). Stop it first (Ctrl-C in its terminal, or kill ${running.pid}).`);
  }
}

export function writeRuntimeFile(dataDir: string, endpoints: RuntimeEndpoints): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(runtimeFile(dataDir), `${JSON.stringify(endpoints, null, 2)}\n`);
}

export function removeRuntimeFile(dataDir: string): void {
  rmSync(runtimeFile(dataDir), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
