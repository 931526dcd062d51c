import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTsx } from '../support/ops-cli';

// Child processes that compile the CLI with tsx: seconds on a loaded 2-core machine, not jest's default 5.
const CHILD_TIMEOUT_MS = 60_000;

/** No simulator anywhere: help and option errors need none. */
const emptyDataDir = mkdtempSync(join(tmpdir(), 'sim-usage-'));
afterAll(() => rmSync(emptyDataDir, { recursive: true, force: true }));
const sim = (...args: string[]) => runTsx('local/graph-simulator/control-cli.ts', args, { DATA_DIR: emptyDataDir, GRAPH_SIM_URL: undefined });

describe('npm run sim -- …', () => {
  test(
    '--help, -h and help print the usage on stdout and exit 0',
    async () => {
      const runs = await Promise.all([sim('--help'), sim('-h'), sim('help')]);
      for (const run of runs) {
        expect(run).toMatchObject({ code: 0, stderr: '' });
        expect(run.stdout).toMatch(/^usage: npm run sim -- /);
        expect(run.stdout).toContain('access-token-shape <reference|guide>');
      }
    },
    CHILD_TIMEOUT_MS,
  );

  test(
    'an unknown option is one line naming it and where the usage is, exit 2, no stack trace',
    async () => {
      const [bare, afterCommand, short] = await Promise.all([sim('--bogus'), sim('client', '42', '--bogus'), sim('-x')]);
      expect([bare, afterCommand, short]).toEqual([
        { code: 2, stdout: '', stderr: "Unknown option '--bogus'. (usage: npm run sim -- --help)\n" },
        { code: 2, stdout: '', stderr: "Unknown option '--bogus'. (usage: npm run sim -- --help)\n" },
        { code: 2, stdout: '', stderr: "Unknown option '-x'. (usage: npm run sim -- --help)\n" },
      ]);
    },
    CHILD_TIMEOUT_MS,
  );
});
