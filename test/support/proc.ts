// Linux's /proc, read for the bench's memory figures and the tests' checks of the runtime's processes.
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Every process whose ancestry leads to `rootPid` (the root included), from /proc: the runtime's
 * DynamoDB Local JVM runs in a process group of its own, so a group would miss it; parentage does not.
 * Linux only, as /proc is.
 */
export function processTree(rootPid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(`/proc/${entry}/stat`);
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

/** A /proc file, or undefined when its process is gone. */
export function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // The process ended between listing /proc and reading it.
    return undefined;
  }
}
