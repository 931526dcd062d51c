import type { FUNCTIONS } from './pipeline-settings';

/**
 * How each function's code is built: one esbuild bundle per handler, with these options, both for
 * the stack (NodejsFunction, at `cdk synth`) and for the local runtime (esbuild's API, at
 * `npm start`), so that the sandboxes run what Lambda runs.
 */
export type FunctionName = keyof typeof FUNCTIONS;

export const FUNCTION_ENTRIES: Record<FunctionName, string> = {
  intake: 'lambdas/handlers/intake.ts',
  createSolution: 'lambdas/handlers/create-solution.ts',
  acceptSolution: 'lambdas/handlers/accept-solution.ts',
  reconcile: 'lambdas/handlers/reconcile.ts',
  webhook: 'lambdas/handlers/webhook.ts',
  shareCredit: 'lambdas/handlers/share-credit.ts',
  discoverClients: 'lambdas/handlers/discover-clients.ts',
};

export const BUNDLING = {
  format: 'esm',
  /** Lambda's runtime (nodejs22.x). */
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  /** CommonJS dependencies bundled into an ESM file still call require() for Node built-ins. */
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
} as const;
