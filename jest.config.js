// Two projects: `unit` (no Temporal, no sockets; `npm run test:unit`) and `integration`
// (everything that starts a Temporal server, HTTP servers or processes). `npm test` runs both.
// The bench's own tests live in test/bench: its unit/ folder in `unit`, the rest in `integration`.
// test/cluster belongs to integration and skips itself unless `npm run test:cluster` points it
// at a cluster (COUNTERSIGN_TEST_TEMPORAL_ADDRESS).
// Each provider's tests sit in test/providers/<name>/: <name>.test.ts is a unit test,
// <name>-e2e.test.ts an integration test.
const E2E = '-e2e\\.test\\.ts$';
const PROVIDER_UNIT = '<rootDir>/test/providers/[^/]+/[^/]+(?<!-e2e)\\.test\\.ts$';

const shared = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  // Type checking is `npm run typecheck`'s job; tests only transpile.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/test/unit', '<rootDir>/test/bench/unit', '<rootDir>/test/providers'],
      testPathIgnorePatterns: ['/node_modules/', E2E],
    },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/unit/', '<rootDir>/test/bench/unit/', PROVIDER_UNIT],
    },
  ],
  // Temporal servers take seconds to start and workflows seconds to bundle.
  testTimeout: 60_000,
  // Jest waits for every handle a test left open; this prints them and ends the run instead
  // of letting CI hang (test/helpers/open-handles-report.ts).
  globalTeardown: '<rootDir>/test/helpers/open-handles-report.ts',
};
