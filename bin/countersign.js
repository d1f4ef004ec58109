#!/usr/bin/env node
// `npx countersign`: the compiled CLI from `npm run build` (lib/) when it is at least as new
// as every source file, else the TypeScript source through tsx, so it works without a build
// step. Compiled, a call skips compiling TypeScript (docs/performance.md).
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const compiled = join(root, 'lib', 'cli', 'countersign.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const useCompiled = existsSync(compiled) && statSync(compiled).mtimeMs >= newestSource(join(root, 'src'));
if (!useCompiled) require('tsx/cjs');
// The same .env `npm start` reads, so the CLI finds the instance it configured.
if (existsSync('.env')) process.loadEnvFile('.env');
const { run } = require(useCompiled ? compiled : '../src/cli/countersign.ts');
run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`countersign: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
