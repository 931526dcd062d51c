import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { REPO_ROOT } from '../../lib/repo-root';
import type { SectionResult } from '../report';

/** The machine and code a run measured, read at its start (the load average before the bench adds its own). */
export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  totalMemoryGiB: number;
  node: string;
  loadAverage: number[];
  gitRevision: string;
}

export function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model ?? 'unknown',
    cpuCount: cores.length,
    totalMemoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    gitRevision: gitRevision(),
  };
}

/**
 * `git rev-parse --short HEAD`, `-dirty` when tracked files differ from it (as `git describe --dirty`
 * counts: untracked files do not). Read without taking the index lock, so a concurrent git is not disturbed.
 */
function gitRevision(): string {
  const git = (...args: string[]) => execFileSync('git', ['--no-optional-locks', ...args], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  try {
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? '-dirty' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** Section 7. */
export function machine(info: MachineInfo): SectionResult {
  return {
    id: 'machine',
    title: '7. machine',
    rows: [
      { what: 'CPU', measured: `${info.cpuCount} × ${info.cpuModel}` },
      { what: 'memory', measured: `${info.totalMemoryGiB} GiB` },
      { what: 'Node', measured: info.node },
      { what: 'load average at start', measured: info.loadAverage.join(' ') },
      { what: 'git revision', measured: info.gitRevision },
    ],
    notes: [],
    data: { ...info },
  };
}
