import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDynamoDbLocalFor } from '../../local/runtime/dynamodb-local';
import { PipelineDriver } from '../support/pipeline-driver';
import { listeningSockets } from '../support/listening-sockets';
import { processTree, readProc } from '../support/proc';
import { spawnRuntime, startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process';

/** `npm start` as a developer lives with it: one per data directory, Ctrl-C, `--reset`. */
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mps-lifecycle-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Running, not a zombie: a process killed outright holds nothing once it is one. */
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readProc(`/proc/${pid}/stat`);
  return !stat?.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
};

async function withDriver(runtime: RuntimeProcess, use: (driver: PipelineDriver) => Promise<void>): Promise<void> {
  const driver = new PipelineDriver(runtime);
  try {
    await use(driver);
  } finally {
    driver.destroy();
  }
}

describe('local runtime lifecycle', () => {
  test('prints every endpoint; a second start on the same data directory fails clearly; Ctrl-C stops everything, DynamoDB Local included', async () => {
    const runtime = await startRuntimeProcess({ dataDir, ownProcessGroup: true });
    const { dynamodbPid } = JSON.parse(readFileSync(join(dataDir, 'runtime.lock'), 'utf8')) as { dynamodbPid: number };
    expect(isAlive(dynamodbPid)).toBe(true);
    // What a later start checks before it stops a DynamoDB Local named by a stale lock.
    expect([isDynamoDbLocalFor(dynamodbPid, join(dataDir, 'dynamodb')), isDynamoDbLocalFor(dynamodbPid, join(dataDir, 'elsewhere')), isDynamoDbLocalFor(process.pid, join(dataDir, 'dynamodb'))]).toEqual([true, false, false]);
    for (const endpoint of [runtime.endpoints.dynamodb, runtime.endpoints.sqs, runtime.endpoints.secretsManager, runtime.endpoints.graph, `${runtime.endpoints.http}/`]) {
      expect(runtime.output()).toContain(endpoint);
    }

    const second = spawnRuntime({ dataDir });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/A local runtime is already running for .* \(pid \d+, http:\/\/localhost:\d+\)\. Stop it first/);

    // Ctrl-C in a terminal signals the whole foreground process group.
    expect(await runtime.stop('SIGINT')).toBe(0);
    expect(isAlive(dynamodbPid)).toBe(false);
    await expect(fetch(runtime.endpoints.dynamodb)).rejects.toThrow();
  }, 90_000);

  test('a stale lock naming a process that is not its DynamoDB Local: the start takes the lock over and leaves that process alone', async () => {
    const staleDir = mkdtempSync(join(tmpdir(), 'mps-stale-lock-'));
    const bystander = spawn('sleep', ['300'], { stdio: 'ignore' });
    try {
      writeFileSync(join(staleDir, 'runtime.lock'), JSON.stringify({ pid: 999_999, dynamodbPid: bystander.pid }));
      const runtime = await startRuntimeProcess({ dataDir: staleDir });
      const { pid } = JSON.parse(readFileSync(join(staleDir, 'runtime.lock'), 'utf8')) as { pid: number };
      expect(pid).toBe(runtime.child.pid);
      expect(await runtime.stop()).toBe(0);
      expect(isAlive(bystander.pid!)).toBe(true);
    } finally {
      bystander.kill('SIGKILL');
      rmSync(staleDir, { recursive: true, force: true });
    }
  }, 90_000);

  test('the runtime killed outright (SIGKILL of its main process only): DynamoDB Local exits by itself within seconds, nothing of it keeps listening', async () => {
    const runtime = await startRuntimeProcess();
    const tree = processTree(runtime.child.pid!);
    const dynamodbPort = Number(new URL(runtime.endpoints.dynamodb).port);
    // The JVM is in the tree and listens: the check below cannot pass by watching nothing.
    expect(listeningSockets(tree).filter((l) => l.pid !== runtime.child.pid).map((l) => l.port)).toContain(dynamodbPort);
    try {
      runtime.child.kill('SIGKILL');
      let survivors = tree;
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(200)) {
        survivors = tree.filter(isAlive);
        if (survivors.length === 0) break;
      }
      expect({ survivors, listening: survivors.length ? listeningSockets(survivors) : [] }).toEqual({ survivors: [], listening: [] });
      await expect(fetch(runtime.endpoints.dynamodb)).rejects.toThrow();
    } finally {
      for (const pid of tree.filter(isAlive)) process.kill(pid, 'SIGKILL');
      await runtime.stop();
    }
  }, 90_000);

  test('keeps the records and the queued messages across restarts, and `--reset` wipes them', async () => {
    const first = await startRuntimeProcess({ dataDir });
    const pipeline = new PipelineDriver(first);
    const onboardingId = await pipeline.start(await pipeline.login(['634974688087059']));
    await pipeline.settled(onboardingId, ['ACCEPTED']);
    // On a queue no worker reads: it stays as left.
    await pipeline.send(first.endpoints.queues.acceptSolutionFailures, 'left on the queue');
    pipeline.destroy();
    expect(await first.stop()).toBe(0);

    const kept = await startRuntimeProcess({ dataDir });
    expect((await fetch(`${kept.endpoints.http}/api/onboardings/${onboardingId}`)).status).toBe(200);
    await withDriver(kept, async (driver) => expect(await driver.receiveOne(kept.endpoints.queues.acceptSolutionFailures)).toBe('left on the queue'));
    expect(await kept.stop()).toBe(0);

    const reset = await startRuntimeProcess({ dataDir, args: ['--reset'] });
    expect((await fetch(`${reset.endpoints.http}/api/onboardings/${onboardingId}`)).status).toBe(404);
    await withDriver(reset, async (driver) => expect(await driver.queueDepth(reset.endpoints.queues.acceptSolutionFailures)).toBe(0));
    expect(await reset.stop()).toBe(0);
  }, 120_000);
});
