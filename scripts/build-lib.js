#!/usr/bin/env node
// Compiles src/ into lib/ (tsconfig.build.json) so `npx countersign` runs JavaScript instead of
// compiling TypeScript through tsx on every call: run by the postinstall, and in the background
// by bin/countersign.js when a source file is newer than lib/. Type checking is
// `npm run typecheck`'s job, so this skips it (--noCheck: a few seconds instead of ~15 of CPU).
// It never fails an install: without src/ (the image's install step) or without TypeScript
// (a production install) there is nothing to compile, and a failed compile leaves the CLI on tsx.
'use strict';
const { spawnSync } = require('node:child_process');
const { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, utimesSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const lib = join(root, 'lib');
const lock = join(lib, '.build.lock');
const entry = join(lib, 'cli', 'countersign.js');

function tscPath() {
  try {
    return require.resolve('typescript/bin/tsc', { paths: [root] });
  } catch {
    return undefined;
  }
}

/** False while another build holds the lock; a lock older than 10 minutes is a crashed build's. */
function takeLock() {
  mkdirSync(lib, { recursive: true });
  try {
    closeSync(openSync(lock, 'wx'));
    return true;
  } catch {
    try {
      if (Date.now() - statSync(lock).mtimeMs < 600_000) return false;
    } catch {
      // Released between the two calls: try once more below.
    }
    rmSync(lock, { force: true });
    closeSync(openSync(lock, 'wx'));
    return true;
  }
}

function main() {
  const tsc = tscPath();
  if (!existsSync(join(root, 'src')) || !existsSync(join(root, 'tsconfig.build.json')) || !tsc) return;
  if (!takeLock()) return;
  const started = new Date();
  try {
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck'], {
      cwd: root,
      stdio: 'inherit',
    });
    // Dated to the build's start: a source saved while it ran stays newer, so lib/ counts as stale.
    if (r.status === 0 && existsSync(entry)) utimesSync(entry, started, started);
    else console.error('countersign: compiling lib/ failed; `npx countersign` runs the source through tsx meanwhile');
  } finally {
    rmSync(lock, { force: true });
  }
}

main();
