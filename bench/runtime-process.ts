import { performance } from 'node:perf_hooks';
import type { RuntimeEndpoints } from '../local/runtime/runtime-file';
import { startRuntimeProcess } from '../test/support/local-runtime-process';
import { isRunning, treeRss } from './process-tree';

export interface BenchRuntime {
  endpoints: RuntimeEndpoints;
  dataDir: string;
  pid: number;
  /** Its DynamoDB Local JVM(s), which `stop` makes sure are gone. */
  jvmPids: number[];
  /** What the runtime itself printed ("Ready in X s"), when it did. */
  readyInS: number | undefined;
  /** From spawning the process to its runtime.json being there, as the bench saw it. */
  startMs: number;
  /** The tail of what the runtime printed, for a failure report. */
  outputTail: () => string;
  /** Stops it as Ctrl-C does and makes sure DynamoDB Local went with it; true when the JVM had to be killed. */
  stop: () => Promise<{ jvmKilled: boolean }>;
}

/** Time a first start may take on a busy machine: it bundles the functions and starts a JVM. */
const START_TIMEOUT_MS = 180_000;

/**
 * `npm start` as a user runs it, on free ports and a fresh data directory (removed on stop), through
 * the tests' launcher. Environment variables that would point the runtime at a real Graph API or
 * other secrets are blanked: the bench drives the simulator with its seed's credentials.
 */
export async function startRuntime(): Promise<BenchRuntime> {
  const spawnedAt = performance.now();
  const runtime = await startRuntimeProcess(
    {
      env: {
        GRAPH_API_BASE_URL: '',
        PARTNER_APP_ID: '',
        SYSTEM_USER_TOKEN: '',
        APP_SECRET: '',
        WEBHOOK_VERIFY_TOKEN: '',
        // The cost section reads what the functions consumed.
        USAGE_METER: '1',
        // Its bundles in its data directory, as `npm start` builds them (not the tests' shared ones):
        // the cold-start section imports them from there.
        BUNDLES_DIR: '',
      },
      // A group of its own, as a terminal gives it: Ctrl-C on the bench is the bench's to handle.
      ownProcessGroup: true,
    },
    START_TIMEOUT_MS,
  );
  const startMs = performance.now() - spawnedAt;
  const pid = runtime.child.pid!;
  // DynamoDB Local runs detached (its own process group): found by parentage, to be sure it ends.
  const jvmPids = treeRss(pid)
    .filter((p) => p.name === 'java')
    .map((p) => p.pid);
  const readyIn = /Ready in ([\d.]+) s/.exec(runtime.output())?.[1];
  return {
    endpoints: runtime.endpoints,
    dataDir: runtime.dataDir,
    pid,
    jvmPids,
    readyInS: readyIn === undefined ? undefined : Number(readyIn),
    startMs,
    outputTail: () => runtime.output().slice(-4000),
    stop: async () => {
      let failure: unknown;
      await runtime.stop('SIGINT').catch((error: unknown) => (failure = error));
      // The runtime stops its JVM itself; one that outlived it (the runtime was killed) is killed here.
      const left = jvmPids.filter(isRunning);
      for (const jvm of left) process.kill(jvm, 'SIGKILL');
      if (failure) throw failure;
      return { jvmKilled: left.length > 0 };
    },
  };
}
