import { readdirSync, readFileSync } from 'node:fs';

/** One process of a tree, with its resident memory. */
export interface ProcessRss {
  pid: number;
  /** The kernel's short name (`node`, `java`, `esbuild`). */
  name: string;
  rssKiB: number;
}

/**
 * Every process whose ancestry leads to `rootPid` (the root included), from /proc: the runtime's
 * DynamoDB Local JVM runs in a process group of its own, so a group would miss it; parentage does not.
 * Linux only, as /proc is.
 */
export function processTree(rootPid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readOrUndefined(`/proc/${entry}/stat`);
    // "pid (comm) state ppid …": the command name may itself hold spaces or parentheses.
    const ppid = stat && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parentOf.set(Number(entry), ppid);
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parentOf) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/** Resident memory of each process of the tree that still exists. */
export function treeRss(rootPid: number): ProcessRss[] {
  return processTree(rootPid).flatMap((pid) => {
    const status = readOrUndefined(`/proc/${pid}/status`);
    const rss = status && /^VmRSS:\s+(\d+) kB/m.exec(status);
    return rss ? [{ pid, name: /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '?', rssKiB: Number(rss[1]) }] : [];
  });
}

/** Still running: a process that ended is gone from /proc, or a zombie, which has no resident memory left. */
export function isRunning(pid: number): boolean {
  return /^VmRSS:/m.test(readOrUndefined(`/proc/${pid}/status`) ?? '');
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

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // The process ended between listing /proc and reading it.
    return undefined;
  }
}
