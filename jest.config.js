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
  // Three test files at a time on two cores (jest would take one): the runtime suites mostly wait on
  // backoffs, leases, the reconciler and the page's timers. Measured here: 368.6 s with two workers,
  // 286.7 s with three (load 8; the closest to its timeout, an ops CLI test, 23 s of 60 s).
  maxWorkers: 3,
  testSequencer: '<rootDir>/test/support/long-waits-first.js',
};
