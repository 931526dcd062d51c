import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFileAtomically } from './atomic-file';
import { join } from 'node:path';
import type { LocalWiring } from './local-wiring';

/** Every endpoint a running local runtime started, for the ops CLI, scripts and tests. */
export interface RuntimeEndpoints {
  pid: number;
  startedAt: string;
  http: string;
  /** Meta's webhook callback on the page's origin (the simulator is subscribed to it). */
  webhook: string;
  dynamodb: string;
  sqs: string;
  secretsManager: string;
  graph: string;
  region: string;
  tableName: string;
  queues: {
    createSolution: string;
    createSolutionDlq: string;
    acceptSolutionFailures: string;
    shareCreditFailures: string;
    acceptSolutionWake: string;
    shareCreditWake: string;
    wakeDlq: string;
  };
  /** Where the functions' secrets live, by the names they read them by (SECRET_NAMES). */
  secretNames: { systemUserToken: string; appSecret: string; webhookVerifyToken: string };
  /** What the runtime took from the stack's settings; compared with the synthesized template by a test. */
  wiring: LocalWiring;
  /** With USAGE_METER=1: where the usage meter answers `GET` with what the functions consumed (local/runtime/usage-meter.ts). */
  usage?: string;
}

/** Who holds a data directory: the runtime, and the DynamoDB Local process it started (to reap if the runtime died). */
interface RuntimeLock {
  pid: number;
  dynamodbPid?: number;
}

export const runtimeFile = (dataDir: string) => join(dataDir, 'runtime.json');
const lockFile = (dataDir: string) => join(dataDir, 'runtime.lock');

export function readRuntimeFile(dataDir: string): RuntimeEndpoints | undefined {
  const file = runtimeFile(dataDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as RuntimeEndpoints;
}

/**
 * Takes the data directory for this process, atomically (O_EXCL): a second runtime on the same
 * directory fails while the first lives. A lock left by a runtime that died is taken over, and the
 * DynamoDB Local it left running is stopped if it still runs (it exits by itself once its runtime is
 * gone): only when `isOwnDynamoDb` recognizes the PID, which may since name any process.
 */
export function acquireDataDir(dataDir: string, isOwnDynamoDb: (pid: number) => boolean): void {
  mkdirSync(dataDir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile(dataDir), 'wx');
      writeFileSync(fd, JSON.stringify({ pid: process.pid } satisfies RuntimeLock));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLock(dataDir);
    if (holder && isAlive(holder.pid)) {
      const http = readRuntimeFile(dataDir)?.http;
      throw new Error(`A local runtime is already running for ${dataDir} (pid ${holder.pid}${http ? `, ${http}` : ''}). Stop it first (Ctrl-C in its terminal, or kill ${holder.pid}).`);
    }
    if (holder?.dynamodbPid && isAlive(holder.dynamodbPid) && isOwnDynamoDb(holder.dynamodbPid)) process.kill(holder.dynamodbPid, 'SIGKILL');
    // The dead runtime's endpoints are gone: nobody may find them in runtime.json any more.
    rmSync(runtimeFile(dataDir), { force: true });
    rmSync(lockFile(dataDir), { force: true });
  }
  throw new Error(`could not lock ${dataDir}`);
}

/** Notes the DynamoDB Local process in the lock, so a later start can reap it if this runtime dies. */
export function recordDynamoDbPid(dataDir: string, dynamodbPid: number): void {
  writeFileAtomically(lockFile(dataDir), JSON.stringify({ pid: process.pid, dynamodbPid } satisfies RuntimeLock));
}

/** Written whole or not at all: a reader polling for it never sees half a file. */
export function writeRuntimeFile(dataDir: string, endpoints: RuntimeEndpoints): void {
  writeFileAtomically(runtimeFile(dataDir), `${JSON.stringify(endpoints, null, 2)}\n`);
}

export function releaseDataDir(dataDir: string): void {
  rmSync(runtimeFile(dataDir), { force: true });
  rmSync(lockFile(dataDir), { force: true });
}

function readLock(dataDir: string): RuntimeLock | undefined {
  try {
    return JSON.parse(readFileSync(lockFile(dataDir), 'utf8')) as RuntimeLock;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** A process killed outright stays a zombie until its parent reaps it: it holds nothing any more. */
function isZombie(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; the command name may itself hold spaces or parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
