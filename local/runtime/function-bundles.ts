import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, stop as stopEsbuild, version as esbuildVersion } from 'esbuild';
import { BUNDLING, FUNCTION_ENTRIES, type FunctionName } from '../../lib/function-bundling';
import { REPO_ROOT } from '../../lib/repo-root';

export interface FunctionBundles {
  /** Each function's handler bundle: what `cdk synth` puts in its asset, built with the same options. */
  handlers: Record<FunctionName, string>;
  /** The sandbox's own code (a worker thread that loads one handler bundle and invokes it). */
  worker: string;
}

const WORKER_ENTRY = 'local/runtime/function-worker.ts';
/** Everything the bundles are made of, besides node_modules (which package-lock.json pins). */
const SOURCES = ['lambdas', 'lib/function-bundling.ts', 'local/runtime/function-worker.ts', 'local/runtime/lambda-context.ts', 'package-lock.json'];
const FINGERPRINT_FILE = 'sources.sha256';

/**
 * Bundles every function as the stack does (lib/function-bundling.ts), and the sandbox worker, into
 * `outDir`, in one esbuild run: the sandboxes then load plain JavaScript, nothing is compiled per
 * sandbox, and a local run proves the deployed artifact works. Bundles built from the same sources
 * (and options, and esbuild) by an earlier start are used again. They are built beside `outDir` and
 * moved in once complete, so that another runtime sharing `outDir` (the tests' BUNDLES_DIR) never
 * loads a half-written one.
 */
export async function bundleFunctions(outDir: string): Promise<FunctionBundles> {
  const names = Object.keys(FUNCTION_ENTRIES) as FunctionName[];
  const bundles = {
    handlers: Object.fromEntries(names.map((name) => [name, join(outDir, `${name}.mjs`)])) as Record<FunctionName, string>,
    worker: join(outDir, 'function-worker.mjs'),
  };
  const fingerprint = sourcesFingerprint();
  if (readOrUndefined(join(outDir, FINGERPRINT_FILE)) === fingerprint) return bundles;
  const building = `${outDir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const common = { bundle: true, platform: 'node', absWorkingDir: REPO_ROOT, outdir: building, outExtension: { '.js': '.mjs' }, logLevel: 'warning' } as const;
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
  writeFileSync(join(building, FINGERPRINT_FILE), fingerprint);
  rmSync(outDir, { recursive: true, force: true });
  renameSync(building, outDir);
  // esbuild's service process (about 250 MiB) is needed no more once the bundles are written.
  await stopEsbuild();
  return bundles;
}

/** A hash of every source file's path and content, the bundling options and esbuild's version. */
function sourcesFingerprint(): string {
  const hash = createHash('sha256').update(JSON.stringify(BUNDLING)).update(esbuildVersion);
  for (const file of SOURCES.flatMap((source) => filesUnder(join(REPO_ROOT, source))).sort()) {
    hash.update(relative(REPO_ROOT, file)).update(readFileSync(file));
  }
  return hash.digest('hex');
}

function filesUnder(path: string): string[] {
  try {
    return readdirSync(path, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
  } catch {
    // Not a directory: the file itself.
    return [path];
  }
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
