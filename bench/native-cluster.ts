// The cluster column's Temporal: the cluster COUNTERSIGN_TEST_TEMPORAL_ADDRESS names, or the
// native cluster of `npm run cluster` (PostgreSQL, production-shaped), started here in a
// directory of its own on free ports and stopped afterwards.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { existingCluster, type ExistingCluster } from '../test/helpers/existing-cluster';
import { treeCpuMs } from './proc';

const run = promisify(execFile);
const SCRIPT = resolve(__dirname, '..', 'scripts', 'cluster.sh');

export interface NativeCluster extends ExistingCluster {
  /** How it was had, for the report. */
  label: string;
  shards?: number;
  /** CPU time of the PostgreSQL server (postmaster and backends) so far, when this run started it. */
  databaseCpuMs(): number | undefined;
  stop(): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, '127.0.0.1', () => s.close(() => done(true)));
  });
}

/**
 * A base port whose whole block is free: the script's services use base..base+9 and
 * base+100..base+109, PostgreSQL base+200. Drawn at random above the usual ports, so two runs
 * rarely meet, and below 32 668: the server stores membership ports in a SQL smallint, and one
 * above 32 767 stops it at startup.
 */
async function freeBlock(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 1_260) * 10;
    const ports = [
      ...Array.from({ length: 10 }, (_, i) => base + i),
      ...Array.from({ length: 10 }, (_, i) => base + 100 + i),
      base + 200,
    ];
    let free = true;
    for (const p of ports) if (!(await portFree(p))) free = false;
    if (free) return base;
  }
  throw new Error('no free block of ports for the native cluster');
}

/** Children of `parent` (PostgreSQL's backends are the postmaster's), from /proc. */
function childrenOf(parent: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) out.push(Number(e));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return out;
}

/** The script's last word and the server's fatal error, if it logged one; not its whole log. */
function why(err: unknown): string {
  const e = err as { stderr?: string; message: string };
  const lines = (e.stderr || e.message).trim().split('\n');
  const fatal = lines
    .map((l) => {
      try {
        const j = JSON.parse(l) as { level?: string; msg?: string; error?: string };
        return j.level === 'fatal' ? `${j.msg}: ${j.error}` : undefined;
      } catch {
        return undefined;
      }
    })
    .filter(Boolean)
    .pop();
  const last = lines[lines.length - 1].slice(0, 300);
  return fatal ? `${last} (${fatal.slice(0, 300)})` : last;
}

export async function nativeCluster(say: (line: string) => void): Promise<NativeCluster> {
  const given = existingCluster();
  if (given)
    return {
      ...given,
      label: `existing cluster at ${given.address}`,
      databaseCpuMs: () => undefined,
      stop: () => Promise.resolve(),
    };
  const base = await freeBlock();
  // Not under the bench's own temp dir (mode 700): run as root, the script runs PostgreSQL
  // as the postgres user, who must reach its data directory.
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
  say(`starting the native cluster (npm run cluster) at 127.0.0.1:${base}, data in ${dir}`);
  const stop = async () => {
    await run('bash', [SCRIPT, 'stop'], { env }).catch((err: Error) => say(`native cluster stop: ${err.message}`));
    if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
    else say(`kept the native cluster's data and logs in ${dir}`);
  };
  try {
    await run('bash', [SCRIPT, 'start'], { env, maxBuffer: 16 * 2 ** 20 });
  } catch (err) {
    await stop();
    throw new Error(`npm run cluster failed: ${why(err)}`);
  }
  const pid = Number(readFileSync(join(dir, 'temporal.pid'), 'utf8').trim());
  const postmaster = join(dir, 'postgres', 'postmaster.pid');
  const pgPid = existsSync(postmaster) ? Number(readFileSync(postmaster, 'utf8').split('\n')[0]) : undefined;
  const shards =
    Number(/numHistoryShards:\s*(\d+)/.exec(readFileSync(join(dir, 'config', 'development.yaml'), 'utf8'))?.[1]) ||
    undefined;
  return {
    address: `127.0.0.1:${base}`,
    namespace: 'default',
    pid,
    shards,
    label: `native cluster (npm run cluster: Temporal server on PostgreSQL${shards ? `, ${shards} history shards` : ''})`,
    databaseCpuMs: () => (pgPid ? treeCpuMs(pgPid, childrenOf(pgPid)) : undefined),
    stop,
  };
}
