// The system under test as `npm start` runs it, minus the dev server: the HTTP app and its
// Temporal client here, the worker in a supervised child process. BENCH_WORKER_PROCESS=inline
// runs the worker in this process instead: only then can the cache be counted and the memory
// read after a forced collection (the scale part needs both). Configured by env, like the real thing.
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/platform/logger';
import { createMetrics } from '../../src/platform/metrics';
import { createProviders } from '../../src/providers';
import { temporalConnectionOptions } from '../../src/temporal/connection-options';
import { engineClient } from '../../src/temporal/engine-client';
import { superviseWorker } from '../../src/app/worker-supervisor';
import { startCountersignWorker } from '../../src/worker';
import { procStats } from './proc';
import { announceReady, serve } from './rpc';

export interface SutStats {
  atMs: number;
  /** This process's CPU, and the worker process's when it has one. */
  cpuMs: number;
  workerCpuMs: number;
  /** This process's and the worker process's together: what `npm start` holds. */
  rssBytes: number;
  /** Inline worker only (a worker process's state is not visible from here). */
  cachedWorkflows: number;
  inFlightActivations: number;
  refusedByReason: Record<string, number>;
}

async function main() {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const logger = createLogger(config.logLevel);
  const metrics = createMetrics();
  const bundlePath = process.env.BENCH_WORKFLOW_BUNDLE;
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const providers = createProviders(config);
  let status = () => ({ numCachedWorkflows: 0, numInFlightWorkflowActivations: 0 });
  let workerPid = (): number | undefined => undefined;
  let stopWorker: () => Promise<void>;
  if (process.env.BENCH_WORKER_PROCESS === 'inline') {
    const workerConnection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
    const workflowBundle = bundlePath ? { codePath: bundlePath } : undefined;
    const running = await startCountersignWorker({ connection: workerConnection, config, providers, workflowBundle });
    status = () => running.worker.getStatus();
    stopWorker = () => running.stop().then(() => workerConnection.close());
  } else {
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
  const client = engineClient(connection, config);
  const app = createApp({ config, client, providers: Object.values(providers), logger, metrics });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const started = performance.now();

  serve(
    {
      async stats(): Promise<SutStats> {
        const cpu = process.cpuUsage();
        const worker = procStats(workerPid());
        const s = status();
        const refusedByReason: Record<string, number> = {};
        for (const v of (await metrics.callbacksRefused.get()).values)
          refusedByReason[String(v.labels.reason)] = (refusedByReason[String(v.labels.reason)] ?? 0) + v.value;
        return {
          atMs: performance.now() - started,
          cpuMs: (cpu.user + cpu.system) / 1000 + (worker?.cpuMs ?? 0),
          workerCpuMs: worker?.cpuMs ?? 0,
          rssBytes: process.memoryUsage.rss() + (worker?.rssBytes ?? 0),
          cachedWorkflows: s.numCachedWorkflows,
          inFlightActivations: s.numInFlightWorkflowActivations,
          refusedByReason,
        };
      },
      gc: () => (globalThis as { gc?: () => void }).gc?.(),
    },
    async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stopWorker();
      await connection.close();
    },
  );
  announceReady({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

main().catch((err) => {
  console.error('bench system under test failed:', err);
  process.exit(1);
});
