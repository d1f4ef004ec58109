#!/usr/bin/env node
// Puts `countersign` in node_modules/.bin, where `npx countersign` finds it without reading the
// dependency tree. package.json declares no `bin` on purpose: npm answers `npx <name>` for a
// bin of the project's own package.json by installing the project into its npx cache first,
// which reads every package in node_modules (0.5–0.9 s here, on every call). A link in
// node_modules/.bin takes npm's short path instead. Run by the postinstall; never fails an
// install (the image's install step has no bin/ yet, and links the CLI onto the PATH itself).
'use strict';
const { chmodSync, existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const cli = join(root, 'bin', 'countersign.js');
const binDir = join(root, 'node_modules', '.bin');
const link = join(binDir, 'countersign');

function linked() {
  try {
    return lstatSync(link).isSymbolicLink() && readlinkSync(link) === relative(binDir, cli);
  } catch {
    return false;
  }
}

if (existsSync(cli) && existsSync(join(root, 'node_modules')) && !linked()) {
  try {
    mkdirSync(binDir, { recursive: true });
    rmSync(link, { force: true });
    symlinkSync(relative(binDir, cli), link);
    chmodSync(cli, 0o755);
  } catch (err) {
    console.warn(
      `countersign: could not link node_modules/.bin/countersign (${err.message}); run node bin/countersign.js`,
    );
  }
}
