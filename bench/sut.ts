// The system under test, as `npm start` runs it minus the dev server: the HTTP app and its
// Temporal client in this process, the worker in a child process of its own (supervised as
// `npm start` supervises it). BENCH_WORKER_PROCESS=inline runs the worker here instead, for
// readings only one process gives: its cached workflows, and its memory after a forced
// collection. Forked by the orchestrator, so the load generator never shares its event loop.
// Configured by env, like the real thing.
import { Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app/app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/platform/logger';
import { createMetrics } from '../src/platform/metrics';
import { createProviders } from '../src/providers';
import { startCountersignWorker, type CountersignWorkerOptions } from '../src/worker';
import { superviseWorker } from '../src/app/worker-supervisor';
import { announceReady, serve } from './rpc';
import { engineClient } from '../src/temporal/engine-client';
import { procStats } from './proc';

export interface SutStats {
  /** Milliseconds since the process started. */
  atMs: number;
  rssBytes: number;
  /** Highest RSS sampled (every 250 ms) since the last `resetPeak`. */
  peakRssBytes: number;
  heapUsedBytes: number;
  /** This process: the HTTP app and its client (and the worker, when it runs inline). */
  cpuUserMs: number;
  cpuSystemMs: number;
  /** The worker's own process, when it has one (else 0); its RSS is not in `rssBytes`. */
  workerProcessCpuMs: number;
  workerProcessRssBytes: number;
  /** Inline worker only (0 for a worker process, whose state this process cannot see). */
  numCachedWorkflows: number;
  numInFlightWorkflowActivations: number;
  callbacksAccepted: number;
  callbacksRefused: number;
  /** Refusals by reason (`unavailable`: Temporal did not answer in time; the others: the request). */
  refusedByReason: Record<string, number>;
}

function byReason(values: Array<{ value: number; labels: Record<string, unknown> }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[String(v.labels.reason)] = (out[String(v.labels.reason)] ?? 0) + v.value;
  return out;
}

async function main() {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const address = config.temporal.address!;
  const logger = createLogger(config.logLevel);
  const metrics = createMetrics();
  const inline = process.env.BENCH_WORKER_PROCESS === 'inline';
  const bundlePath = process.env.BENCH_WORKFLOW_BUNDLE;
  // Worker options beyond the WORKER_* settings, for trying tunings (inline worker only):
  // BENCH_WORKER_OPTIONS='{"nonStickyToStickyPollRatio":0.5}'.
  const extra = process.env.BENCH_WORKER_OPTIONS
    ? (JSON.parse(process.env.BENCH_WORKER_OPTIONS) as CountersignWorkerOptions['workerOptions'])
    : undefined;
  if (extra && !inline) throw new Error('BENCH_WORKER_OPTIONS needs BENCH_WORKER_PROCESS=inline');

  const workerConnection = inline ? await NativeConnection.connect({ address }) : undefined;
  // As startCountersign: the receivers' client on a native connection of its own.
  // BENCH_CLIENT_CONNECTION=grpc-js puts it on @grpc/grpc-js, =shared on the inline worker's, to compare.
  const kind = process.env.BENCH_CLIENT_CONNECTION;
  const connection =
    kind === 'grpc-js'
      ? await Connection.connect({ address })
      : kind === 'shared' && workerConnection
        ? workerConnection
        : await NativeConnection.connect({ address });
  const client = engineClient(connection, config);
  const providers = createProviders(config);

  let status = () => ({ numCachedWorkflows: 0, numInFlightWorkflowActivations: 0 });
  let workerPid = (): number | undefined => undefined;
  let stopWorker: () => Promise<void>;
  if (workerConnection) {
    // With the follow-up workers (follow-ups and the last one at a deadline run on their
    // per-provider task queues), as every entry point starts them.
    const running = await startCountersignWorker({
      connection: workerConnection,
      config,
      providers,
      ...(bundlePath && { workflowBundle: { codePath: bundlePath } }),
      ...(extra && { workerOptions: extra }),
    });
    status = () => running.worker.getStatus();
    stopWorker = async () => {
      await running.stop();
      await workerConnection.close();
    };
  } else {
    // fork passes this process's Node flags on: the worker gets --expose-gc, and a profile
    // of its own under BENCH_SUT_NODE_ARGS.
    const supervised = await superviseWorker({
      env: { ...process.env, ...(bundlePath && { WORKFLOW_BUNDLE_PATH: bundlePath }) },
      logger,
      metrics,
      restart: config.workerRestart,
      stopTimeoutMs: config.shutdownTimeoutMs,
    });
    workerPid = () => supervised.pid();
    stopWorker = () => supervised.stop();
  }
  const app = createApp({
    config,
    client,
    providers: Object.values(providers),
    logger,
    metrics,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;

  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 250);
  const started = performance.now();
  const sum = async (counter: { get(): Promise<{ values: Array<{ value: number }> }> }) =>
    (await counter.get()).values.reduce((a, v) => a + v.value, 0);

  serve(
    {
      async stats(): Promise<SutStats> {
        const cpu = process.cpuUsage();
        const rss = process.memoryUsage.rss();
        peakRss = Math.max(peakRss, rss);
        const workerProcess = procStats(workerPid());
        const { numCachedWorkflows, numInFlightWorkflowActivations } = status();
        return {
          atMs: performance.now() - started,
          rssBytes: rss,
          peakRssBytes: peakRss,
          heapUsedBytes: process.memoryUsage().heapUsed,
          cpuUserMs: cpu.user / 1000,
          cpuSystemMs: cpu.system / 1000,
          workerProcessCpuMs: workerProcess?.cpuMs ?? 0,
          workerProcessRssBytes: workerProcess?.rssBytes ?? 0,
          numCachedWorkflows,
          numInFlightWorkflowActivations,
          callbacksAccepted: await sum(metrics.callbacksAccepted),
          callbacksRefused: await sum(metrics.callbacksRefused),
          refusedByReason: byReason((await metrics.callbacksRefused.get()).values),
        };
      },
      /** A full collection on the main thread, so a memory reading holds no garbage from the last burst. */
      gc() {
        (globalThis as { gc?: () => void }).gc?.();
      },
      resetPeak() {
        peakRss = process.memoryUsage.rss();
      },
    },
    async () => {
      clearInterval(sampler);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stopWorker();
      if (connection !== workerConnection) await connection.close();
    },
  );
  announceReady({ url: `http://127.0.0.1:${port}` });
}

main().catch((err) => {
  console.error('bench system under test failed:', err);
  process.exit(1);
});
