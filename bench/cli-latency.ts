// `npx tsx bench/cli-latency.ts [runs]`: how long one `countersign` call takes, as an
// operator runs it (a fresh process through bin/countersign.js), against a dev server of its
// own on free ports. Prints the median and the slowest of `list` and `help`, with the
// child's own CPU time (user + system), and which build ran: lib/ when `npm run build`
// output is current, else the TypeScript source through tsx.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer } from '../src/app/dev-server';
import { freePort } from '../test/helpers/ports';

const ROOT = join(__dirname, '..');

function call(args: string[], env: NodeJS.ProcessEnv): Promise<{ wallMs: number; cpuMs: number; code: number | null }> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    // `node -e` wraps the bin so the child's own CPU time can be reported at its exit.
    const wrapper = `process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write('\\ncpu:' + Math.round((u.user + u.system) / 1000)); }); process.argv = [process.argv[0], 'countersign', ...${JSON.stringify(args)}]; require(${JSON.stringify(join(ROOT, 'bin', 'countersign.js'))});`;
    const child = spawn(process.execPath, ['-e', wrapper], { cwd: ROOT, env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ wallMs, cpuMs: Number(/cpu:(\d+)/.exec(stderr)?.[1] ?? NaN), code });
    });
  });
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(
      newest,
      entry.isDirectory() ? newestSource(path) : entry.name.endsWith('.ts') ? statSync(path).mtimeMs : 0,
    );
  }
  return newest;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const runs = Number(process.argv[2] ?? 7);
  const dir = mkdtempSync(join(tmpdir(), 'cli-latency-'));
  const dev = await startDevServer({
    port: await freePort(),
    uiPort: await freePort(),
    dataDir: dir,
    namespace: 'default',
  });
  try {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: dev.address };
    const compiled = join(ROOT, 'lib', 'cli', 'countersign.js');
    const current = existsSync(compiled) && statSync(compiled).mtimeMs >= newestSource(join(ROOT, 'src'));
    process.stdout.write(
      `countersign via ${current ? 'lib/ (npm run build output)' : 'tsx (lib/ missing or older than src/)'}\n`,
    );
    for (const args of [['list'], ['help']]) {
      await call(args, env); // the first call warms the file cache and tsx's transform cache
      const samples = [];
      for (let i = 0; i < runs; i++) samples.push(await call(args, env));
      const failed = samples.filter((s) => s.code !== 0);
      process.stdout.write(
        `${args.join(' ').padEnd(6)} wall median ${Math.round(median(samples.map((s) => s.wallMs)))} ms, max ${Math.round(Math.max(...samples.map((s) => s.wallMs)))} ms; ` +
          `CPU median ${median(samples.map((s) => s.cpuMs))} ms${failed.length ? `; ${failed.length} calls failed` : ''}\n`,
      );
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
