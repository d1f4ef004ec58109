// One measured setup: a Temporal (a fresh dev server, or the cluster the environment names),
// then the load generator and Countersign, each in a process of its own, sharing one payload
// key so everything is encrypted as `npm start` encrypts it.
import { Client, Connection } from '@temporalio/client';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config';
import { createDataConverter } from '../../src/encryption/data-converter';
import { newKeyEntry, parseKeyList } from '../../src/encryption/keys';
import { temporalConnectionOptions } from '../../src/temporal/connection-options';
import { startDevServer } from '../../src/app/dev-server';
import { freePort } from '../../test/helpers/ports';
import { BENCH_CREDENTIALS, providerApiCredentials } from './callbacks';
import { procStats } from './proc';
import { forkChild, type Child } from './rpc';
import type { SutStats } from './sut';

export interface Temporal {
  address: string;
  namespace: string;
  /** In words, for the report. */
  label: string;
  /** The server process, when it runs on this machine: its CPU is then measured. */
  pid?: number;
  /** CPU so far of its database, when that runs apart (PostgreSQL) and is known. */
  databaseCpuMs?: () => number | undefined;
  stop(): Promise<void>;
}

export interface Setup {
  temporal: Temporal;
  taskQueue: string;
  sut: Child;
  loadgen: Child;
  url: string;
  client: Client;
  stats(): Promise<SutStats>;
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, '..', '..');
const KEYS = newKeyEntry('bench');
/** Payloads as every process of the run encrypts them: the replays need it too. */
export const benchDataConverter = () => createDataConverter({ keys: parseKeyList(KEYS) });

/**
 * The cluster to measure instead of dev servers: TEMPORAL_ADDRESS, as Countersign reads it
 * (TLS and API key variables pass through too), or COUNTERSIGN_TEST_TEMPORAL_ADDRESS, as the
 * test suite reads it. BENCH_TEMPORAL_PID names its server process when it runs here.
 */
export function givenCluster(env = process.env): Temporal | undefined {
  const address = env.TEMPORAL_ADDRESS || env.COUNTERSIGN_TEST_TEMPORAL_ADDRESS;
  if (!address) return undefined;
  const pid = Number(env.BENCH_TEMPORAL_PID || env.COUNTERSIGN_TEST_TEMPORAL_PID) || undefined;
  const namespace = env.TEMPORAL_NAMESPACE || env.COUNTERSIGN_TEST_TEMPORAL_NAMESPACE || 'default';
  return { address, namespace, label: `the cluster at ${address}`, pid, stop: () => Promise.resolve() };
}

export async function devServer(dir: string): Promise<Temporal> {
  const [port, uiPort] = [await freePort(), await freePort()];
  const dev = await startDevServer({ port, uiPort, dataDir: dir, namespace: 'default' });
  return { ...dev, namespace: 'default', label: 'dev server (SQLite)', pid: dev.pid };
}

/** Only what the children need: none of the caller's own Countersign settings leak in. */
function childEnv(t: Temporal, taskQueue: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'].includes(k) || /^(TEMPORAL_|WORKER_)/.test(k)) env[k] = v;
  return {
    ...env,
    TEMPORAL_ADDRESS: t.address,
    TEMPORAL_NAMESPACE: t.namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'info',
    COUNTERSIGN_ENCRYPTION_KEYS: KEYS,
    ...BENCH_CREDENTIALS,
    ...extra,
  };
}

export async function startSetup(opts: {
  temporal: Temporal;
  dir: string;
  bundlePath: string;
  sutEnv?: Record<string, string>;
  /** Provider APIs played by the simulators at this rate limit (the engine polls at deadlines). */
  providerApiRateLimit?: number;
  onProgress: (line: string) => void;
}): Promise<Setup> {
  const t = opts.temporal;
  // A queue per setup: on a shared cluster, earlier runs' backlog and workers are never counted.
  const taskQueue = `bench-${Date.now().toString(36)}`;
  const env = childEnv(t, taskQueue, { BENCH_WORKFLOW_BUNDLE: opts.bundlePath, ...opts.sutEnv });
  mkdirSync(opts.dir, { recursive: true });
  // Countersign's JSON log lines go to a file, as they would to a collector.
  const logFd = openSync(join(opts.dir, 'countersign.log'), 'a');
  const connection = await Connection.connect(temporalConnectionOptions(loadConfig(env).temporal));
  const children: Child[] = [];
  const stop = async () => {
    for (const c of children) await c.stop();
    closeSync(logFd);
    await connection.close();
    await t.stop();
  };
  try {
    const loadgen = await forkChild(join(__dirname, 'loadgen.ts'), { env, cwd: ROOT, onProgress: opts.onProgress });
    children.push(loadgen);
    let apis: Record<string, string> = {};
    if (opts.providerApiRateLimit) {
      const urls = await loadgen.call<Record<string, string>>('simulators');
      apis = { ...providerApiCredentials(), ...urls };
      for (const k of Object.keys(urls))
        apis[k.replace(/_API_URL$/, '_API_RATE_LIMIT')] = String(opts.providerApiRateLimit);
    }
    const sut = await forkChild(join(__dirname, 'sut.ts'), { env: { ...env, ...apis }, cwd: ROOT, stdout: logFd });
    children.unshift(sut);
    const url = sut.ready.url as string;
    await loadgen.call('setReceivers', url);
    return {
      ...{ temporal: t, taskQueue, sut, loadgen, url, stop },
      client: new Client({ connection, namespace: t.namespace, dataConverter: benchDataConverter() }),
      stats: () => sut.call<SutStats>('stats'),
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Until Countersign is quiet (its CPU under a tenth of a core, nothing in flight) and the
 * server and its database are at rest: a burst leaves seconds of work behind on every side,
 * which the next measurement would otherwise pay for.
 */
export async function settle(s: Setup, maxMs = 60_000): Promise<void> {
  const until = Date.now() + maxMs;
  const serverCpu = () => (procStats(s.temporal.pid)?.cpuMs ?? 0) + (s.temporal.databaseCpuMs?.() ?? 0);
  let quiet = 0;
  while (Date.now() < until && quiet < 2) {
    const [before, server0] = [await s.stats(), serverCpu()];
    await sleep(1000);
    const [after, server1] = [await s.stats(), serverCpu()];
    const cores = (after.cpuMs - before.cpuMs) / (after.atMs - before.atMs);
    const serverCores = (server1 - server0) / 1000;
    quiet = cores < 0.1 && serverCores < 0.15 && after.inFlightActivations === 0 ? quiet + 1 : 0;
  }
}

/**
 * Time until none of `workflowIds` has a workflow task pending: a saturated server answers
 * signals before it hands their tasks to the worker, so answers alone leave work out.
 */
export async function drained(s: Setup, workflowIds: string[], maxMs = 120_000): Promise<number> {
  const t0 = performance.now();
  const pending = (workflowId: string) =>
    s.client.workflowService
      .describeWorkflowExecution({ namespace: s.temporal.namespace, execution: { workflowId } })
      .then(
        (d) => !!d.pendingWorkflowTask,
        () => false,
      );
  while (performance.now() - t0 < maxMs && (await Promise.all(workflowIds.map(pending))).some(Boolean))
    await sleep(200);
  return performance.now() - t0;
}

/** What every part gets from the run: where to write, and the workflow bundle built once. */
export interface Context {
  work: string;
  bundlePath: string;
  say: (line: string) => void;
}

/** A fresh dev server per setup (one part's history does not weigh on the next), or the cluster named. */
export async function setupFor(ctx: Context, name: string, extra: Partial<Parameters<typeof startSetup>[0]> = {}) {
  const temporal = givenCluster() ?? (await devServer(join(ctx.work, name, 'temporal')));
  const onProgress = (line: string) => ctx.say(`  ${line}`);
  return startSetup({ temporal, dir: join(ctx.work, name), bundlePath: ctx.bundlePath, onProgress, ...extra });
}
