// One measured setup: a fresh Temporal dev server (the project's own startDevServer, SQLite in
// a temp dir), or the cluster COUNTERSIGN_TEST_TEMPORAL_ADDRESS names, then the system under
// test and the load generator, each in its own process.
import { Client, Connection } from '@temporalio/client';
import { createDataConverter } from '../src/encryption/data-converter';
import { newKeyEntry, parseKeyList } from '../src/encryption/keys';
import { temporal } from '@temporalio/proto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDevServer, type DevServer } from '../src/app/dev-server';
import { existingCluster, type ExistingCluster } from '../test/helpers/existing-cluster';
import { freePort } from '../test/helpers/ports';
import { sutCpuMs } from './measure';
import { procStats } from './proc';
import { BENCH_CREDENTIALS, providerApiCredentials } from './callbacks';
import { forkChild, type Child } from './rpc';
import type { SutStats } from './sut';

export interface Cluster {
  /** The dev server, or a stand-in for an existing cluster (pid only if given, stop does nothing). */
  dev: DevServer;
  namespace: string;
  taskQueue: string;
  sut: Child;
  loadgen: Child;
  /** Countersign's HTTP app (receivers and the transactions API). */
  url: string;
  client: Client;
  /** CPU time so far of the cluster's database (PostgreSQL), when it is known. */
  databaseCpuMs?: () => number | undefined;
  stats(): Promise<SutStats>;
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, '..');
/** Only what the children need: nothing from the caller's own Countersign settings leaks in. */
// One payload key per run, shared by the system under test, the load generator and the
// client here: the bench measures Countersign as `npm start` runs it, payloads encrypted.
const BENCH_KEYS = newKeyEntry('bench');

function childEnv(
  address: string,
  namespace: string,
  taskQueue: string,
  extra: Record<string, string>,
): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  const env: NodeJS.ProcessEnv = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  // Worker tunings to compare: WORKER_* as the config reads them, BENCH_WORKER_OPTIONS beyond.
  for (const [k, v] of Object.entries(process.env))
    if (
      k.startsWith('WORKER_') ||
      k === 'BENCH_WORKER_OPTIONS' ||
      k === 'BENCH_CLIENT_CONNECTION' ||
      k === 'BENCH_WORKER_PROCESS'
    )
      env[k] = v;
  return {
    ...env,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'info',
    COUNTERSIGN_ENCRYPTION_KEYS: BENCH_KEYS,
    ...BENCH_CREDENTIALS,
    ...extra,
  };
}

export async function startCluster(opts: {
  dir: string;
  bundlePath: string;
  sqlitePragmas?: string[];
  sutEnv?: Record<string, string>;
  /**
   * Where Countersign's worker runs: `child` (default, as `npm start` runs it) a process of its
   * own; `inline` the HTTP app's, for readings of its cache and heap. BENCH_WORKER_PROCESS
   * sets the default, to compare.
   */
  workerProcess?: 'inline' | 'child';
  /**
   * Provider APIs: the simulators, in the load generator's process, at this rate limit per
   * provider. Without them the APIs are the real providers' URLs, which a bench must not call.
   */
  providerApis?: { rateLimit: number };
  onProgress: (line: string) => void;
  /**
   * Which Temporal: `dev` a fresh dev server whatever the environment says, a cluster that
   * one; unset, COUNTERSIGN_TEST_TEMPORAL_ADDRESS's cluster or else a dev server.
   */
  temporal?: 'dev' | (ExistingCluster & { databaseCpuMs?: () => number | undefined });
}): Promise<Cluster> {
  const external = opts.temporal === 'dev' ? undefined : (opts.temporal ?? existingCluster());
  const namespace = external?.namespace ?? 'default';
  // A shared cluster keeps the workflows of earlier runs: a queue of its own per setup, so a
  // backlog or a stray worker from before is never counted.
  const taskQueue = external ? `countersign-bench-${Date.now().toString(36)}` : 'countersign';
  const dev: DevServer = external
    ? {
        address: external.address,
        uiUrl: '',
        dbFile: '',
        logFile: '',
        pid: external.pid,
        stop: () => Promise.resolve(),
      }
    : await startDevServer({
        port: await freePort(),
        uiPort: await freePort(),
        dataDir: opts.dir,
        namespace,
        ...(opts.sqlitePragmas && { sqlitePragmas: opts.sqlitePragmas }),
      });
  // The dev server makes its data directory; the logs still go there without one.
  mkdirSync(opts.dir, { recursive: true });
  const env = childEnv(dev.address, namespace, taskQueue, {
    BENCH_WORKFLOW_BUNDLE: opts.bundlePath,
    ...(opts.workerProcess && { BENCH_WORKER_PROCESS: opts.workerProcess }),
    ...opts.sutEnv,
  });
  // Countersign's JSON logs go to a file, as they would to a log collector.
  const logFd = openSync(join(opts.dir, 'countersign.log'), 'a');
  const children: Child[] = [];
  const connection = await Connection.connect({ address: dev.address });
  const stopAll = async () => {
    for (const c of children.reverse()) await c.stop();
    closeSync(logFd);
    await connection.close();
    await dev.stop();
  };
  try {
    // The load generator first: it plays the providers, whose API URLs Countersign is given.
    const loadgen = await forkChild(join(__dirname, 'loadgen.ts'), { env, cwd: ROOT, onProgress: opts.onProgress });
    children.push(loadgen);
    let apis: Record<string, string> = {};
    if (opts.providerApis) {
      const urls = await loadgen.call<Record<string, string>>('simulators');
      const limits = Object.keys(urls).map((k) => [
        k.replace(/_API_URL$/, '_API_RATE_LIMIT'),
        String(opts.providerApis!.rateLimit),
      ]);
      apis = { ...providerApiCredentials(), ...urls, ...(Object.fromEntries(limits) as Record<string, string>) };
    }
    // BENCH_SUT_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the system under test.
    const nodeArgs = process.env.BENCH_SUT_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const sut = await forkChild(join(__dirname, 'sut.ts'), {
      env: { ...env, ...apis },
      stdout: logFd,
      cwd: ROOT,
      execArgv: ['--expose-gc', ...nodeArgs],
    });
    // Stopping goes in reverse: the load generator first, then Countersign.
    children.unshift(sut);
    const url = (sut.ready as { url: string }).url;
    await loadgen.call('setReceivers', url);
    return {
      dev,
      namespace,
      taskQueue,
      sut,
      loadgen,
      url,
      client: new Client({
        connection,
        namespace,
        dataConverter: createDataConverter({ keys: parseKeyList(BENCH_KEYS) }),
      }),
      ...(opts.temporal !== undefined && opts.temporal !== 'dev' && opts.temporal.databaseCpuMs
        ? { databaseCpuMs: opts.temporal.databaseCpuMs }
        : {}),
      stats: () => sut.call<SutStats>('stats'),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}

/** Tasks waiting in the task queue (workflow and activity), as the server estimates them. */
export async function backlog(cluster: Cluster): Promise<number> {
  const { TaskQueueType, TaskQueueKind } = temporal.api.enums.v1;
  let total = 0;
  for (const taskQueueType of [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]) {
    const r = await cluster.client.workflowService.describeTaskQueue({
      namespace: cluster.namespace,
      taskQueue: { name: cluster.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType,
      reportStats: true,
    });
    total += Number(r.stats?.approximateBacklogCount ?? 0);
  }
  return total;
}

/**
 * Waits until the system under test is quiet (no task waiting in the queue, the worker idle),
 * so one measurement does not pay for the backlog the previous one left behind.
 */
export async function settle(cluster: Cluster, maxMs = 60_000): Promise<void> {
  const until = Date.now() + maxMs;
  let quiet = 0;
  let before = await cluster.stats();
  while (Date.now() < until && quiet < 2) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await cluster.stats();
    const cpu = (sutCpuMs(now) - sutCpuMs(before)) / (now.atMs - before.atMs);
    quiet = cpu < 0.1 && now.numInFlightWorkflowActivations === 0 && (await backlog(cluster)) === 0 ? quiet + 1 : 0;
    before = now;
  }
}

/** Cores a server or database at rest may still use (background scans, its own timers). */
const SERVER_QUIET_CORES = 0.15;

/**
 * Waits until the cluster's Temporal server and database are at rest too: after a burst they
 * go on for seconds (history and visibility tasks, PostgreSQL's autovacuum and checkpoints),
 * which `settle` does not see from Countersign's side.
 */
export async function settleServer(cluster: Cluster, maxMs = 30_000): Promise<void> {
  const busyCores = async () => {
    const server0 = procStats(cluster.dev.pid)?.cpuMs ?? 0;
    const db0 = cluster.databaseCpuMs?.() ?? 0;
    await new Promise((r) => setTimeout(r, 1000));
    return ((procStats(cluster.dev.pid)?.cpuMs ?? 0) - server0 + ((cluster.databaseCpuMs?.() ?? 0) - db0)) / 1000;
  };
  const until = Date.now() + maxMs;
  while (Date.now() < until && (await busyCores()) > SERVER_QUIET_CORES);
}
