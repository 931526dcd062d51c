import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOps } from '../support/ops-cli';

// Child processes that compile the CLI with tsx: seconds on a loaded 2-core machine, not jest's default 5.
const CHILD_TIMEOUT_MS = 60_000;

/** No runtime in it: a usage error is reported before any target is looked for. */
const emptyDataDir = mkdtempSync(join(tmpdir(), 'ops-usage-'));
afterAll(() => rmSync(emptyDataDir, { recursive: true, force: true }));
const ops = (...args: string[]) => runOps(args, { DATA_DIR: emptyDataDir });

const SINCE_FORMS = 'a duration back from now (90m, 6h, 7d: whole minutes, hours or days) or a time (2026-11-28, 2026-11-28T10:00:00Z)';

describe('the ops CLI on a bad option value', () => {
  test(
    'a bad --since (list --since -5m): one line naming the accepted forms, the usage exit code',
    async () => {
      const cases: [string[], string][] = [
        [['list', '--since', '-5m'], '-5m'],
        [['list', '--since=-5m'], '-5m'],
        [['stats', '--since', '-5m'], '-5m'],
        [['clients', '--since', 'yesterday'], 'yesterday'],
      ];
      const runs = await Promise.all(cases.map(([args]) => ops(...args)));
      expect(runs).toEqual(cases.map(([, value]) => ({ code: 2, stdout: '', stderr: `mps-ops: --since ${value}: ${SINCE_FORMS}\n` })));
    },
    CHILD_TIMEOUT_MS,
  );

  test(
    'any value starting with a dash is judged by its option; an option with no value is one line',
    async () => {
      const [limit, missing] = await Promise.all([ops('list', '--limit', '-3'), ops('list', '--since')]);
      expect(limit).toEqual({ code: 2, stdout: '', stderr: 'mps-ops: --limit -3: a whole number from 1 to 1000\n' });
      expect(missing.code).toBe(2);
      expect(missing.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining("'--since <value>'")]);
    },
    CHILD_TIMEOUT_MS,
  );
});
