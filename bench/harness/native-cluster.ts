// The production-shaped cluster of `npm run cluster` (Temporal server on PostgreSQL, the
// compose stack's shards and dynamic config), started in a directory of its own on free ports
// and removed afterwards. Its binaries must be built already (`npm run cluster` once).
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { treeCpuMs } from './proc';
import type { Temporal } from './setup';

const run = promisify(execFile);
const SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'cluster.sh');

const portFree = (port: number) =>
  new Promise<boolean>((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, '127.0.0.1', () => s.close(() => done(true)));
  });

/**
 * A base whose block is free: the script uses base..+9, +100..+109 (membership) and +200
 * (PostgreSQL). Below 32 658, because the server keeps its membership ports in a smallint.
 */
async function freeBlock(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 1_260) * 10;
    const ports = [...Array(10).keys()].flatMap((i) => [base + i, base + 100 + i]).concat(base + 200);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free block of ports for the native cluster');
}

export async function nativeCluster(say: (line: string) => void): Promise<Temporal> {
  const base = await freeBlock();
  // Not under the bench's own temp dir (mode 700): as root the script runs PostgreSQL as the
  // postgres user, who must reach its data directory.
  const dir = mkdtempSync(join(tmpdir(), 'countersign-bench-cluster-'));
  chmodSync(dir, 0o755);
  const env = {
    ...process.env,
    CLUSTER_DIR: dir,
    CLUSTER_TEMPORAL_PORT: String(base),
    CLUSTER_POSTGRES_PORT: String(base + 200),
    CLUSTER_UI: 'false',
    TEMPORAL_NAMESPACE: 'default',
  };
  const stop = async () => {
    await run('bash', [SCRIPT, 'stop'], { env }).catch((err: Error) => say(`native cluster stop: ${err.message}`));
    if (process.env.BENCH_KEEP) say(`kept the native cluster's data and logs in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  say(`starting the native cluster (scripts/cluster.sh) at 127.0.0.1:${base}`);
  try {
    await run('bash', [SCRIPT, 'start'], { env, maxBuffer: 16 * 2 ** 20 });
  } catch (err) {
    await stop();
    const lines = ((err as { stderr?: string }).stderr || (err as Error).message).trim().split('\n');
    throw new Error(`npm run cluster failed: ${lines[lines.length - 1].slice(0, 300)}`);
  }
  const postmaster = join(dir, 'postgres', 'postmaster.pid');
  const pgPid = existsSync(postmaster) ? Number(readFileSync(postmaster, 'utf8').split('\n')[0]) : undefined;
  const config = readFileSync(join(dir, 'config', 'development.yaml'), 'utf8');
  const shards = /numHistoryShards:\s*(\d+)/.exec(config)?.[1];
  return {
    address: `127.0.0.1:${base}`,
    namespace: 'default',
    label: `native cluster (Temporal server on PostgreSQL, ${shards ?? '?'} history shards)`,
    pid: Number(readFileSync(join(dir, 'temporal.pid'), 'utf8').trim()),
    databaseCpuMs: () => (pgPid ? treeCpuMs(pgPid) : undefined),
    stop,
  };
}
