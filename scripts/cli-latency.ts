// `npx tsx scripts/cli-latency.ts [runs]`: how long `npx countersign list` and `--help` take as
// an operator runs them, each a fresh process, against a dev server of its own; prints the
// median wall time of `runs` calls (5), through npx and through node directly.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer } from '../src/app/dev-server';
import { freePort } from '../test/helpers/ports';

const ROOT = join(__dirname, '..');

async function main() {
  const runs = Number(process.argv[2] ?? 5);
  const dir = mkdtempSync(join(tmpdir(), 'cli-latency-'));
  const dev = await startDevServer({
    port: await freePort(),
    uiPort: await freePort(),
    dataDir: dir,
    namespace: 'default',
  });
  try {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: dev.address };
    const lib = join(ROOT, 'lib', 'cli', 'countersign.js');
    console.log(
      `countersign in ${ROOT} (${existsSync(lib) ? `lib/ dated ${statSync(lib).mtime.toISOString()}` : 'no lib/'})`,
    );
    // npx's own share (npm reads the project's dependency tree before it runs a project's own bin) shows against node.
    for (const [command, prefix] of [
      ['npx', ['countersign']],
      [process.execPath, ['bin/countersign.js']],
    ] as const)
      for (const args of [['list'], ['--help']]) {
        const ms: number[] = [];
        for (let i = 0; i < runs; i++) {
          const t = performance.now();
          const r = spawnSync(command, [...prefix, ...args], { cwd: ROOT, env, encoding: 'utf8' });
          ms.push(performance.now() - t);
          if (r.status !== 0) console.log(`  exited ${r.status}: ${r.stderr.trim().slice(0, 200)}`);
        }
        const median = [...ms].sort((a, b) => a - b)[ms.length >> 1];
        const name = `${command === 'npx' ? 'npx' : 'node'} ${[...prefix, ...args].join(' ')}`;
        console.log(`${name}: median ${median.toFixed(0)} ms (${ms.map((m) => m.toFixed(0)).join(', ')})`);
      }
  } finally {
    await dev.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
