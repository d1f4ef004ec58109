#!/usr/bin/env node
// Prints the plain `N passed, N failed` line CI reads, from jest's --json results, and fails
// when anything failed or when no test ran at all.
const fs = require('node:fs');

const file = process.argv[2] || 'test-results.json';
if (!fs.existsSync(file)) {
  console.log('0 passed, 0 failed');
  console.error(`no jest results at ${file}: the test run did not complete`);
  process.exit(1);
}
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
// Suites that failed to run (syntax error, setup crash) count as failures too.
const brokenSuites = (r.testResults || []).filter(
  (s) => s.status === 'failed' && (s.assertionResults || []).length === 0,
).length;
const failed = r.numFailedTests + brokenSuites;
console.log(`${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (r.numTotalTests === 0) {
  console.error('no test ran');
  process.exit(1);
}
process.exit(failed > 0 || !r.success ? 1 : 0);
