import { processTree, readProc } from '../test/support/proc';

/** One process of a tree, with its resident memory. */
export interface ProcessRss {
  pid: number;
  /** The kernel's short name (`node`, `java`, `esbuild`). */
  name: string;
  rssKiB: number;
}

/** Resident memory of each process of the tree that still exists. */
export function treeRss(rootPid: number): ProcessRss[] {
  return processTree(rootPid).flatMap((pid) => {
    const status = readProc(`/proc/${pid}/status`);
    const rss = status && /^VmRSS:\s+(\d+) kB/m.exec(status);
    return rss ? [{ pid, name: /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '?', rssKiB: Number(rss[1]) }] : [];
  });
}

/** Still running: a process that ended is gone from /proc, or a zombie, which has no resident memory left. */
export function isRunning(pid: number): boolean {
  return /^VmRSS:/m.test(readProc(`/proc/${pid}/status`) ?? '');
}

export const totalKiB = (processes: readonly ProcessRss[]) => processes.reduce((sum, p) => sum + p.rssKiB, 0);

/** Samples a tree's RSS on a timer and keeps the sample with the largest total. */
export class PeakRssSampler {
  private timer: NodeJS.Timeout | undefined;
  private samples = 0;
  peak: ProcessRss[] = [];

  constructor(
    private readonly rootPid: number,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.timer) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get sampleCount(): number {
    return this.samples;
  }

  private sample(): void {
    const now = treeRss(this.rootPid);
    this.samples++;
    if (totalKiB(now) > totalKiB(this.peak)) this.peak = now;
  }
}
