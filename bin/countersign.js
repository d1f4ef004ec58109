#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx countersign` works without a build step.
require('tsx/cjs');
const { run } = require('../src/cli/countersign.ts');
run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`countersign: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
