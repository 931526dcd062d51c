import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface OpsRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The ops CLI as ops runs it (`npm run ops -- …`, which is `tsx ops/cli.ts`), in a child process; `env` adds to this one's (undefined: removed). */
export function runOps(args: readonly string[], env: Record<string, string | undefined>): Promise<OpsRun> {
  const childEnv = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== undefined));
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'ops/cli.ts', ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}
