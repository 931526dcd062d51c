/** Jest runs the TypeScript sources as native ES modules, transpiled by SWC (type-checking is `npm run typecheck`). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2024' }, module: { type: 'es6' } }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // Two test files at a time, even on two cores (jest would take one): the integration suites mostly
  // wait on backoffs, settling times and the reconciler, so two halve the run (12 → 6 minutes here).
  maxWorkers: 2,
};
