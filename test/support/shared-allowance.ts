import { GraphPacer } from '../../lambdas/graph/graph-pacer';
import type { PacingSettings } from '../../lambdas/schedule';

/**
 * A simulated clock on which several function instances, each with its own GraphPacer, call one
 * Graph that counts their calls against one allowance per rolling hour (the simulator's shape:
 * local/graph-simulator/controls.ts), reports usage in percent on every answer and refuses calls
 * past the allowance with code 4. Time only moves when every instance waits: runs take milliseconds.
 */
export interface AllowanceRun {
  sent: number;
  throttled: number;
  /** The most calls any rolling hour held. */
  peakInHour: number;
  /** Simulated ms from the start until the last call was answered. */
  elapsedMs: number;
}

export async function runSharedAllowance(opts: {
  settings: PacingSettings;
  /** Calls allowed per (simulated) hour, and how long that hour lasts in ms. */
  allowance: number;
  hourMs: number;
  /** Instances, each with `concurrency` callers that make calls one after another. */
  instances: number;
  concurrency: number;
  /** Calls to make in all; the callers take them from one backlog. */
  calls: number;
  /** Each call takes latency ± jitter (uniform, from a seeded sequence: runs repeat exactly). */
  latencyMs: number;
  jitterMs?: number;
}): Promise<AllowanceRun> {
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  let now = 0;
  const timers: { at: number; resolve: () => void }[] = [];
  const sleep = (ms: number) => new Promise<void>((resolve) => timers.push({ at: now + Math.max(0, ms), resolve }));
  const counted: number[] = [];
  let throttled = 0;
  let peakInHour = 0;
  let lastAnswer = 0;
  let backlog = opts.calls;
  let sent = 0;

  /** Graph: counts the call on arrival, as the simulator does (a refused call is not counted), and answers with the usage. */
  const graph = () => {
    while (counted.length > 0 && counted[0]! <= now - opts.hourMs) counted.shift();
    const refused = counted.length >= opts.allowance;
    if (!refused) counted.push(now);
    peakInHour = Math.max(peakInHour, counted.length);
    return { percent: Math.round((counted.length / opts.allowance) * 100), refused };
  };

  const caller = async (pacer: GraphPacer) => {
    while (backlog > 0) {
      backlog--;
      let turn;
      try {
        turn = await pacer.beforeCall('EAAtoken');
      } catch {
        // Not sent: the work comes back later, as a retried message does.
        backlog++;
        await sleep(1_000);
        continue;
      }
      sent++;
      await sleep(opts.latencyMs + (opts.jitterMs ?? 0) * (2 * random() - 1));
      const { percent, refused } = graph();
      lastAnswer = now;
      if (refused) {
        throttled++;
        backlog++;
        turn.answered({ appPercent: percent }, 4);
      } else {
        turn.answered({ appPercent: percent });
      }
    }
  };

  const pacers = Array.from({ length: opts.instances }, () => new GraphPacer(opts.settings, () => now, (ms) => sleep(ms)));
  let done = false;
  const all = Promise.all(pacers.flatMap((pacer) => Array.from({ length: opts.concurrency }, () => caller(pacer)))).then(() => {
    done = true;
  });
  while (!done) {
    // Let every instance run until it waits on the clock.
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    if (done) break;
    timers.sort((a, b) => a.at - b.at);
    const next = timers.shift();
    if (!next) throw new Error('no instance is waiting and the calls are not done');
    now = next.at;
    next.resolve();
  }
  await all;
  return { sent, throttled, peakInHour, elapsedMs: lastAnswer };
}
