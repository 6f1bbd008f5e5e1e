/** @type {import('jest').Config} */
module.exports = {
  // jest-environment-node's, in a context without Node's global interceptors (test/environment.js).
  testEnvironment: '<rootDir>/test/environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/test/esbuild-transform.js' },
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/global-setup.ts',
  // With the other caches (npm ci starts afresh), not under TMPDIR: scripts/test.sh gives each run its own.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
};
