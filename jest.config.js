/** Jest runs the TypeScript sources as native ES modules, transpiled by SWC (type-checking is `npm run typecheck`). */
const common = {
  rootDir: import.meta.dirname,
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2024' }, module: { type: 'es6' } }],
  },
  setupFiles: ['<rootDir>/test/setup-env.ts'],
};

/**
 * Two tiers: `fast` needs nothing running (unit, contract, infra: `npm run test:fast`); `runtime`
 * starts DynamoDB Local or the whole local runtime (integration, browser). `npm test` runs both.
 */
export default {
  projects: [
    { ...common, displayName: 'fast', testMatch: ['<rootDir>/test/{unit,contract,infra}/**/*.test.ts'] },
    { ...common, displayName: 'runtime', testMatch: ['<rootDir>/test/{integration,e2e}/**/*.test.ts'], globalSetup: '<rootDir>/test/support/runtime-global-setup.ts' },
  ],
  // Two test files at a time, even on two cores (jest would take one): the integration suites mostly
  // wait on backoffs, settling times and the reconciler, so two halve the run (12 → 6 minutes here).
  maxWorkers: 2,
};
