// The system under test, as `npm start` runs it minus the dev server: one process with one
// Temporal client connection, the worker and the HTTP app. Forked by the orchestrator, so the
// load generator never shares its event loop. Configured by env, like the real thing.
import { Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { createMetrics } from '../src/metrics';
import { createProviders } from '../src/providers';
import { startCountersignWorker, type CountersignWorkerOptions } from '../src/worker';
import { announceReady, serve } from './rpc';
import { engineClient } from '../src/temporal/engine-client';

export interface SutStats {
  /** Milliseconds since the process started. */
  atMs: number;
  rssBytes: number;
  /** Highest RSS sampled (every 250 ms) since the last `resetPeak`. */
  peakRssBytes: number;
  heapUsedBytes: number;
  cpuUserMs: number;
  cpuSystemMs: number;
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
  const nativeConnection = await NativeConnection.connect({ address });
  // As startCountersign: the receivers' client on a native connection of its own.
  // BENCH_CLIENT_CONNECTION=grpc-js puts it on @grpc/grpc-js, =shared on the worker's, to compare.
  const kind = process.env.BENCH_CLIENT_CONNECTION;
  const connection =
    kind === 'grpc-js'
      ? await Connection.connect({ address })
      : kind === 'shared'
        ? nativeConnection
        : await NativeConnection.connect({ address });
  const client = engineClient(connection, config);
  const providers = createProviders(config);
  const bundlePath = process.env.BENCH_WORKFLOW_BUNDLE;
  // Worker options beyond the WORKER_* settings, for trying tunings: BENCH_WORKER_OPTIONS='{"nonStickyToStickyPollRatio":0.5}'.
  const extra = process.env.BENCH_WORKER_OPTIONS
    ? (JSON.parse(process.env.BENCH_WORKER_OPTIONS) as CountersignWorkerOptions['workerOptions'])
    : undefined;
  // With the follow-up workers (follow-ups and the last one at a deadline run on their
  // per-provider task queues), as every entry point starts them.
  const running = await startCountersignWorker({
    connection: nativeConnection,
    config,
    providers,
    ...(bundlePath && { workflowBundle: { codePath: bundlePath } }),
    ...(extra && { workerOptions: extra }),
  });
  const { worker } = running;
  const metrics = createMetrics();
  const app = createApp({
    config,
    client,
    providers: Object.values(providers),
    logger: createLogger(config.logLevel),
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
        const status = worker.getStatus();
        return {
          atMs: performance.now() - started,
          rssBytes: rss,
          peakRssBytes: peakRss,
          heapUsedBytes: process.memoryUsage().heapUsed,
          cpuUserMs: cpu.user / 1000,
          cpuSystemMs: cpu.system / 1000,
          numCachedWorkflows: status.numCachedWorkflows,
          numInFlightWorkflowActivations: status.numInFlightWorkflowActivations,
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
      await running.stop();
      await nativeConnection.close();
      if (connection !== nativeConnection) await connection.close();
    },
  );
  announceReady({ url: `http://127.0.0.1:${port}` });
}

main().catch((err) => {
  console.error('bench system under test failed:', err);
  process.exit(1);
});
