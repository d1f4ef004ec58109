// Which code a benchmark measured, for its report. Read when the run starts: an edit or a
// commit made while it runs is not what its processes loaded.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: resolve(__dirname, '..'), stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

/** The short commit, marked when `src` or `bench` differ from it. */
export function codeVersion(): string {
  const dirty = git(['status', '--porcelain', '--', 'src', 'bench']);
  return git(['rev-parse', '--short', 'HEAD']) + (dirty && dirty !== 'unknown' ? ' (with local changes)' : '');
}
