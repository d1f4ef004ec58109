#!/usr/bin/env node
// `npx countersign`: the compiled CLI (`npm run build`, lib/). In a development checkout the
// TypeScript source runs through tsx instead while lib/ is missing or older than a source
// file, so the CLI works without a build step and never runs stale code. Where there is no
// source (the container image) or no tsx (a production install), lib/ is what runs.
// Compiled, a call skips compiling TypeScript (docs/performance.md).
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const compiled = join(root, 'lib', 'cli', 'countersign.js');
const sourceDir = join(root, 'src');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function tsxInstalled() {
  try {
    require.resolve('tsx/cjs');
    return true;
  } catch {
    return false;
  }
}

function entryPoint() {
  const hasCompiled = existsSync(compiled);
  const hasSource = existsSync(sourceDir);
  if (hasCompiled && (!hasSource || statSync(compiled).mtimeMs >= newestSource(sourceDir))) return compiled;
  if (hasSource && tsxInstalled()) {
    require('tsx/cjs');
    return join(sourceDir, 'cli', 'countersign.ts');
  }
  if (hasCompiled) return compiled;
  console.error('countersign: no compiled CLI in lib/ and no tsx to run the source: run `npm run build`');
  process.exit(1);
}

const entry = entryPoint();
// The same .env `npm start` reads, so the CLI finds the instance it configured.
if (existsSync('.env')) process.loadEnvFile('.env');
const { run } = require(entry);
run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`countersign: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
