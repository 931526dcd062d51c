import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchOptions, SectionId } from './options';
import { round } from './stats';

/** One line of a section's table: what was measured, beside what it is compared with. */
export interface Row {
  what: string;
  measured: string;
  reference?: string;
  ratio?: number;
  /** e.g. `≤ 1.3` or `= 0`; goals are reported, never enforced. */
  goal?: string;
  met?: boolean;
}

export interface SectionResult {
  id: SectionId;
  title: string;
  rows: Row[];
  /** Lines printed under the table (the burst's `ratio` line, caveats). */
  notes: string[];
  /** Every number of the section, for the JSON file. */
  data: Record<string, unknown>;
}

/** A measured ratio against an upper goal. */
export function ratioGoal(ratio: number, max: number): Pick<Row, 'ratio' | 'goal' | 'met'> {
  return { ratio: round(ratio), goal: `≤ ${max}`, met: ratio <= max };
}

/** A count that must be zero. */
export function zeroGoal(count: number): Pick<Row, 'goal' | 'met'> {
  return { goal: '= 0', met: count === 0 };
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
export const millis = (ms: number) => `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
export const mebibytes = (kib: number) => `${Math.round(kib / 1024)} MiB`;

const COLUMNS = ['what', 'measured', 'reference', 'ratio', 'goal', 'met'] as const;

/** The section as a plain-text table, its notes under it. */
export function formatSection(section: SectionResult): string {
  const cells = section.rows.map((row) => [
    row.what,
    row.measured,
    row.reference ?? '',
    row.ratio === undefined ? '' : row.ratio.toFixed(2),
    row.goal ?? '',
    row.met === undefined ? '' : row.met ? 'yes' : 'NO',
  ]);
  const widths = COLUMNS.map((header, i) => Math.max(header.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [`== ${section.title} ==`, line(COLUMNS), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), ...section.notes].join('\n');
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  options: BenchOptions;
  runtime: { pid: number; jvmPids: number[]; readyInS: number | undefined; startMs: number; reconcileIntervalSeconds: number };
  /** Items per page of the simulator's app listing during the run (undefined if the run ended before it was set). */
  listingPageSize: number | undefined;
  sections: Partial<Record<SectionId, Omit<SectionResult, 'id'>>>;
}

/** Writes the results as `<dir>/<ISO time, ':' as '-'>.json` and returns the file's path. */
export function writeResults(dir: string, results: BenchResults): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${results.startedAt.replaceAll(':', '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
