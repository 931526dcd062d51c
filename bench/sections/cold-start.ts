import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { FUNCTION_ENTRIES, type FunctionName } from '../../lib/function-bundling';
import type { BenchContext } from '../context';
import { millis, type Row, type SectionResult } from '../report';
import { median, round } from '../stats';

const run = promisify(execFile);

/** What local/runtime/local-runtime.ts passes a sandbox of its own environment (SANDBOX_ENV_PASSED_THROUGH). */
const PASSED_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_DEV'];

/** Imports the bundle named by the first argument and prints how long the import took, ms. */
const IMPORT_SCRIPT = 'const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t)); process.exit(0);';

/**
 * Section 5: a proxy for each function's cold start. A fresh Node process imports the bundle the
 * runtime built (what Lambda loads); the handler modules read and check their environment at import
 * (lambdas/config.ts), so the process gets the function's environment as the runtime gives its sandboxes.
 */
export async function coldStart(ctx: BenchContext): Promise<SectionResult> {
  const { endpoints, dataDir } = ctx.runtime;
  const runs = ctx.options.coldStartRuns;
  const rows: Row[] = [];
  const functions: Record<string, unknown> = {};
  for (const name of Object.keys(FUNCTION_ENTRIES) as FunctionName[]) {
    // The file names of local/runtime/function-bundles.ts.
    const bundle = join(dataDir, 'bundles', `${name}.mjs`);
    const sizeKiB = statSync(bundle).size / 1024;
    const env = {
      ...Object.fromEntries(PASSED_THROUGH.flatMap((key) => (process.env[key] === undefined ? [] : [[key, process.env[key]!]]))),
      TZ: 'UTC',
      AWS_REGION: endpoints.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: endpoints.sqs,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
      ...endpoints.wiring.functions[name].environment,
    };
    const importMs: number[] = [];
    const processMs: number[] = [];
    // One at a time: parallel processes would measure the machine's two cores, not the bundle.
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT, pathToFileURL(bundle).href], { env });
      processMs.push(performance.now() - started);
      importMs.push(Number(stdout));
    }
    rows.push({ what: name, measured: `import ${millis(median(importMs))}`, reference: `${Math.round(sizeKiB)} KiB; process ${millis(median(processMs))}` });
    functions[name] = { sizeKiB: round(sizeKiB, 1), importMs, processMs, medianImportMs: median(importMs), medianProcessMs: median(processMs) };
  }
  return {
    id: 'cold-start',
    title: `5. cold start proxy: a fresh \`node\` importing each bundle (median of ${runs})`,
    rows,
    notes: ['import = the handler module’s own import in the new process; process = spawn to exit (Node’s start included).'],
    data: { runs, functions },
  };
}
