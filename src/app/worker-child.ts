// `npm start`'s worker, in a process of its own so that a worker that dies (the SDK aborting
// under load, an out-of-memory kill) leaves the receivers answering. Started and restarted by
// src/app/worker-supervisor.ts; configured by the same environment as its parent.
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createLogger } from '../platform/logger';
import type { Metrics } from '../platform/metrics';
import { temporalConnectionOptions } from '../temporal/connection-options';
import { installTemporalRuntime } from '../temporal/runtime';
import type { WorkerMessage } from './worker-messages';
import { watchWorkflowTaskFailures } from './workflow-task-failures';
import { serverReportsProblems } from '../temporal/reported-problems';
import { startCountersignWorker } from './worker';
import { stopTracing } from '../tracing/provider';

/** Resolves once the message is handed to the channel (before an exit, it must be). */
const tell = (m: WorkerMessage) =>
  new Promise<void>((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel).child({ role: 'worker', pid: process.pid });
  // Set once the client exists (and only on a server that does not report problems itself),
  // but read by the runtime's logger from the start.
  let onLog: ReturnType<typeof watchWorkflowTaskFailures> | undefined;
  installTemporalRuntime(config, { logger, onLog: (entry) => onLog?.(entry) });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const client = new Client({ connection, namespace: config.temporal.namespace });
  // The server reports stuck workflows itself (1.28+; the parent's /metrics shows them); log
  // lines are the fallback before that.
  if (!(await serverReportsProblems(client)))
    onLog = watchWorkflowTaskFailures({
      client,
      logger,
      count: (workflowType) => void tell({ type: 'workflow-task-failed', workflowType }),
    });
  // The parent's registry is the one scraped (/metrics on PORT), and its counters outlive us.
  const metrics = {
    followUps: {
      inc: (labels: Extract<WorkerMessage, { type: 'follow-up' }>['labels']) =>
        void tell({ type: 'follow-up', labels }),
    },
  };
  const running = await startCountersignWorker({
    config,
    connection,
    metrics: metrics as unknown as Pick<Metrics, 'followUps'>,
  });

  let stopping = false;
  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    await running.stop();
    await connection.close();
    await stopTracing();
    process.exit(exitCode);
  };
  process.on('SIGTERM', () => void stop(0));
  // Ctrl-C reaches the whole process group; the parent stops us with SIGTERM, in its order.
  process.on('SIGINT', () => undefined);
  // The parent is gone (killed): nobody would stop or restart us.
  process.on('disconnect', () => void stop(0));
  await tell({ type: 'ready', userActivities: running.userActivities });
  await running.done.then(
    () => stop(stopping ? 0 : 1),
    (err: Error) => {
      logger.error({ err: err.message }, 'worker failed');
      return stop(1);
    },
  );
}

main().catch(async (err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`worker process failed to start: ${message}\n`);
  await tell({ type: 'fatal', message });
  process.exit(1);
});
