import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PipelineDriver } from '../support/pipeline-driver';
import { spawnRuntime, startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process';

/** `npm start` as a developer lives with it: one per data directory, Ctrl-C, `--reset`. */
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mps-lifecycle-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
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
