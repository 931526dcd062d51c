import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { processTree } from '../test/support/proc';
import type { Row } from './report';
import { round } from './stats';

/** CPU time so far: the runtime's process tree's, and the whole machine's (busy and total), seconds. */
export interface CpuSnapshot {
  atMs: number;
  /** By process name (`node`, `java`, …): which part of the runtime spends it. */
  treeSeconds: Record<string, number>;
  machineBusySeconds: number;
  machineTotalSeconds: number;
}

/** What /proc counts CPU time in (clock ticks per second; 100 on nearly every Linux). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
})();

/**
 * Reads both from /proc. The runtime's worker-thread sandboxes are threads of its Node process, so
 * the tree's count holds them; the machine's shows what else ran meanwhile (on a shared machine,
 * the load a measurement competed with).
 */
export function cpuSnapshot(rootPid: number): CpuSnapshot {
  const treeSeconds: Record<string, number> = {};
  for (const pid of processTree(rootPid)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // After "pid (comm) ": state is field 3, utime and stime fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      treeSeconds[name] = (treeSeconds[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    } catch {
      // Ended meanwhile: its time is lost to the count, a slight underestimate.
    }
  }
  // "cpu  user nice system idle iowait irq softirq steal …": idle and iowait are the not-busy part.
  const machine = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = machine.reduce((sum, ticks) => sum + ticks, 0);
  const idle = machine[3]! + machine[4]!;
  return { atMs: performance.now(), treeSeconds, machineBusySeconds: (total - idle) / TICKS_PER_SECOND, machineTotalSeconds: total / TICKS_PER_SECOND };
}

export interface CpuUse {
  /** Cores the runtime's tree kept busy, on average. */
  runtimeCores: number;
  /** The same by process name. */
  byProcess: Record<string, number>;
  /** How busy the whole machine was, the runtime included. */
  machineBusyPercent: number;
}

/** Between two snapshots. */
export function cpuUse(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  const wallSeconds = Math.max(0.001, (after.atMs - before.atMs) / 1000);
  const byProcess = Object.fromEntries(Object.entries(after.treeSeconds).map(([name, seconds]) => [name, (seconds - (before.treeSeconds[name] ?? 0)) / wallSeconds]));
  const machineTotal = after.machineTotalSeconds - before.machineTotalSeconds;
  return {
    runtimeCores: Object.values(byProcess).reduce((sum, cores) => sum + cores, 0),
    byProcess,
    machineBusyPercent: machineTotal > 0 ? (100 * (after.machineBusySeconds - before.machineBusySeconds)) / machineTotal : 0,
  };
}

/** How much of the machine the runtime had: on two shared cores, the CPU is often what a run waits for. */
export function cpuRow(use: CpuUse): Row {
  return {
    what: 'CPU while it ran',
    measured: `runtime ${round(use.runtimeCores).toFixed(2)} cores`,
    reference: `${Object.entries(use.byProcess)
      .sort(([, a], [, b]) => b - a)
      .map(([name, cores]) => `${name} ${round(cores).toFixed(2)}`)
      .join(', ')}; machine ${Math.round(use.machineBusyPercent)} % busy (${availableParallelism()} cores)`,
  };
}
