import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLING, FUNCTION_ENTRIES, type FunctionName } from '../../lib/function-bundling';
import { REPO_ROOT } from '../../lib/repo-root';

export interface FunctionBundles {
  /** Each function's handler bundle: what `cdk synth` puts in its asset, built with the same options. */
  handlers: Record<FunctionName, string>;
  /** The sandbox's own code (a worker thread that loads one handler bundle and invokes it). */
  worker: string;
}

const WORKER_ENTRY = 'local/runtime/function-worker.ts';

/**
 * Bundles every function as the stack does (lib/function-bundling.ts), and the sandbox worker, into
 * `outDir`, in one esbuild run: the sandboxes then load plain JavaScript, nothing is compiled per
 * sandbox, and a local run proves the deployed artifact works.
 */
export async function bundleFunctions(outDir: string): Promise<FunctionBundles> {
  rmSync(outDir, { recursive: true, force: true });
  const names = Object.keys(FUNCTION_ENTRIES) as FunctionName[];
  const common = { bundle: true, platform: 'node', absWorkingDir: REPO_ROOT, outdir: outDir, outExtension: { '.js': '.mjs' }, logLevel: 'warning' } as const;
  await Promise.all([
    build({
      ...common,
      entryPoints: Object.fromEntries(names.map((name) => [name, FUNCTION_ENTRIES[name]])),
      format: BUNDLING.format,
      target: BUNDLING.target,
      mainFields: [...BUNDLING.mainFields],
      minify: BUNDLING.minify,
      sourcemap: BUNDLING.sourceMap,
      banner: { js: BUNDLING.banner },
    }),
    // Lambda's own runtime is no part of the artifact: the worker is bundled for this machine's Node.
    build({ ...common, entryPoints: { 'function-worker': WORKER_ENTRY }, format: 'esm', sourcemap: true }),
  ]);
  return {
    handlers: Object.fromEntries(names.map((name) => [name, join(outDir, `${name}.mjs`)])) as Record<FunctionName, string>,
    worker: join(outDir, 'function-worker.mjs'),
  };
}
