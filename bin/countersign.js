#!/usr/bin/env node
// `npx countersign`: the compiled CLI in lib/, which `npm install` builds (postinstall,
// scripts/build-lib.js). In a development checkout, a call that finds a source file newer than
// lib/ runs the TypeScript source through tsx, so it never runs stale code, and rebuilds lib/
// in the background for the calls after it. Where there is no source (the container image) or
// no tsx (a production install), lib/ is what runs. Compiled, a call skips compiling
// TypeScript (docs/performance.md).
const { spawn } = require('node:child_process');
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

/** Detached, so this call neither waits for it nor holds it; the builder's lock keeps one at a time. */
function rebuildInBackground() {
  const builder = join(root, 'scripts', 'build-lib.js');
  if (existsSync(builder)) spawn(process.execPath, [builder], { cwd: root, detached: true, stdio: 'ignore' }).unref();
}

function entryPoint() {
  const hasCompiled = existsSync(compiled);
  const hasSource = existsSync(sourceDir);
  if (hasCompiled && (!hasSource || statSync(compiled).mtimeMs >= newestSource(sourceDir))) return compiled;
  if (hasSource && tsxInstalled()) {
    rebuildInBackground();
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
