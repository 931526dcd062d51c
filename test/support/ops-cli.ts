import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The ops CLI as ops runs it (`npm run ops -- …`, which is `tsx ops/cli.ts`), in a child process; `env` adds to this one's (undefined: removed). */
export const runOps = (args: readonly string[], env: Record<string, string | undefined>): Promise<CliRun> => runTsx('ops/cli.ts', args, env);

/** A CLI of this repository (`script`, from its root) as npm runs it with tsx, in a child process; `env` as for runOps. */
export function runTsx(script: string, args: readonly string[], env: Record<string, string | undefined>): Promise<CliRun> {
  const childEnv = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== undefined));
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}
