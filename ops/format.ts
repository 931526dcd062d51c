import type { RecordedError, SolutionRecord } from '../lambdas/domain/records';

/** What a command hands the CLI: `data` for `--json`, `lines` for people, and its exit code. */
export interface CommandResult {
  data: unknown;
  lines: string[];
  exitCode: number;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** A time to the second, as the records hold it (UTC). */
export const when = (iso: string | undefined) => (iso ? iso.replace(/\.\d{3}Z$/, 'Z') : '');

/** How long ago, in the largest two units: `3d 4h`, `12m 5s`. */
export function age(iso: string, now: Date): string {
  let seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(seconds / size);
    seconds -= n * size;
    if (n > 0 || (unit === 's' && parts.length === 0)) parts.push(`${n}${unit}`);
  }
  return parts.slice(0, 2).join(' ');
}

/** Graph's error (and the pipeline's conclusion) in one line; `fbtrace_id` too where asked, for a report to Meta. */
export function errorText(error: (Pick<RecordedError, 'code' | 'subcode' | 'message' | 'fbtraceId'> & { reason?: string }) | undefined, withTrace = false): string {
  if (!error) return '';
  const trace = withTrace && error.fbtraceId ? ` (fbtrace_id ${error.fbtraceId})` : '';
  return `${error.reason ? `${error.reason}: ` : ''}code ${error.code}${error.subcode ? `/${error.subcode}` : ''} ${error.message}${trace}`;
}

/** The attempts of a solution's current step: creates until CREATED, accepts from then on. */
export const attemptsOf = (s: SolutionRecord) => (s.acceptAttempts !== undefined ? `${s.attempts}+${s.acceptAttempts}` : String(s.attempts));

/** A solution item as ops reads it in a list: no timeline, no keys, no lease internals. */
export function solutionSummary(s: SolutionRecord) {
  return {
    onboardingId: s.onboardingId,
    appId: s.appId,
    appName: s.appName,
    solutionName: s.solutionName,
    status: s.status,
    ...(s.solutionId ? { solutionId: s.solutionId } : {}),
    attempts: s.attempts,
    ...(s.acceptAttempts !== undefined ? { acceptAttempts: s.acceptAttempts } : {}),
    ...(s.lastError ? { lastError: s.lastError } : {}),
    ...(s.nextAttemptAt ? { nextAttemptAt: s.nextAttemptAt } : {}),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}
