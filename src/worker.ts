// `npm run worker` / `node lib/worker.js`: a worker process on its own, and the worker API the
// package exports (src/app/worker.ts builds it).
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from './config';
import { boundPort, closeHttpServer, listen } from './platform/http-server';
import { createLogger } from './platform/logger';
import { createMetrics } from './platform/metrics';
import { createShutdown, stopOnSignals } from './platform/shutdown';
import { loadEnvFile } from './platform/env-file';
import { createOpsApp } from './app/ops-app';
import { warnIfPlaintext } from './app/plaintext-warning';
import { startCountersignWorker, type RunningCountersignWorker } from './app/worker';
import { temporalConnectionOptions } from './temporal/connection-options';
import { assertTemporalReady, readinessTarget } from './temporal/readiness';
import { installTemporalRuntime } from './temporal/runtime';
import { watchWorkflowTaskFailures } from './app/workflow-task-failures';
import { registerReportedProblemsGauge, serverReportsProblems } from './temporal/reported-problems';
import { stopTracing } from './tracing/provider';

export { startCountersignWorker, type CountersignWorkerOptions, type RunningCountersignWorker } from './app/worker';

/**
 * `npm run worker`: a worker alone, joining the cluster at TEMPORAL_ADDRESS, with `/healthz`,
 * `/readyz` and `/metrics` on PORT for the orchestrator and Prometheus.
 */
async function main() {
  loadEnvFile();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  let onLog: ReturnType<typeof watchWorkflowTaskFailures> | undefined;
  const sdkMetrics = installTemporalRuntime(config, { logger, onLog: (entry) => onLog?.(entry) });
  warnIfPlaintext(config, logger);
  const metrics = createMetrics();
  // A worker on a cluster without Countersign's namespace or search attributes would poll
  // forever while every start fails: stop here, saying what to create.
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  let running: RunningCountersignWorker;
  try {
    for (const note of await assertTemporalReady(connection, readinessTarget(config.temporal)))
      logger.warn({ role: 'worker' }, note);
    running = await startCountersignWorker({ config, metrics, connection });
    const client = new Client({ connection, namespace: config.temporal.namespace });
    // The server reports stuck workflows itself (1.28+); log lines are the fallback before that.
    registerReportedProblemsGauge(metrics.registry, client);
    if (!(await serverReportsProblems(client)))
      onLog = watchWorkflowTaskFailures({
        client,
        logger,
        count: (workflowType) => metrics.workflowTaskFailures.inc({ workflow_type: workflowType }),
      });
  } catch (err) {
    await connection.close();
    throw err;
  }
  const ops = await listen(
    createOpsApp({ metrics, ready: () => running.worker.getState() === 'RUNNING' }),
    config.http.port,
    config.http.host,
  );
  logger.info(
    {
      role: 'worker',
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      port: boundPort(ops),
      sdkMetrics,
      userActivities: running.userActivities,
    },
    'worker running',
  );

  const stop = createShutdown(
    [
      ['worker', () => running.stop()],
      ['temporal connection', () => connection.close()],
      ['ops http', () => closeHttpServer(ops, 5_000)],
      ['tracing', stopTracing],
    ],
    logger,
  );
  stopOnSignals(stop);
  // A worker that dies on its own (cluster lost for good, fatal error) ends the process, so
  // the orchestrator restarts it.
  const failed = await running.done.then(
    () => false,
    (err: Error) => {
      logger.error({ err: err.message }, 'worker failed');
      return true;
    },
  );
  await stop(failed ? 'worker failed' : 'worker stopped');
  process.exit(failed ? 1 : 0);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
