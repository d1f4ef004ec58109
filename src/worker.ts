// The Temporal worker: Countersign's workflows and activities, plus any the user registers.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import { loadConfig, type Config } from './config';
import { boundPort, closeHttpServer, listen } from './http-server';
import { createLogger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { createOpsApp } from './ops-app';
import { createProviders } from './providers';
import type { Provider } from './providers/provider';
import type { ProviderName } from './shared/types';
import { createShutdown, drainWorker, stopOnSignals } from './shutdown';
import { temporalConnectionOptions } from './temporal/connection-options';
import { installTemporalRuntime } from './temporal/runtime';

export interface WorkerDeps {
  connection: NativeConnection;
  config: Config;
  providers: Partial<Record<ProviderName, Provider>>;
  /** Prebuilt workflow bundle (tests); otherwise WORKFLOW_BUNDLE_PATH, else bundled from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Where activities count what they do (the process's /metrics). */
  metrics?: Pick<Metrics, 'followUps'>;
  /** Extra options (cache size, concurrency, the user's own activities). */
  options?: Partial<WorkerOptions>;
}

function workflowSource(deps: WorkerDeps): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (deps.workflowBundle) return { workflowBundle: deps.workflowBundle };
  const codePath = deps.config.temporal.workflowBundlePath;
  // Production images bundle at build time (scripts/bundle-workflows.ts): no webpack at startup.
  if (codePath) return { workflowBundle: { codePath } };
  return { workflowsPath: require.resolve('./workflows') };
}

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const { activities: extraActivities, ...rest } = deps.options ?? {};
  return Worker.create({
    connection: deps.connection,
    namespace: deps.config.temporal.namespace,
    taskQueue: deps.config.temporal.taskQueue,
    ...workflowSource(deps),
    activities: { ...createActivities({ providers: deps.providers, metrics: deps.metrics }), ...extraActivities },
    // Activities in flight when the process is asked to stop get this long to finish.
    shutdownGraceTime: deps.config.shutdownTimeoutMs,
    ...rest,
  });
}

/**
 * `npm run worker`: a worker alone, joining the cluster at TEMPORAL_ADDRESS, with `/healthz`,
 * `/readyz` and `/metrics` on PORT for the orchestrator and Prometheus.
 */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const sdkMetrics = installTemporalRuntime(config);
  const metrics = createMetrics();
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const worker = await createWorker({ connection, config, providers: createProviders(config), metrics });
  const running = worker.run();
  const ops = await listen(createOpsApp({ metrics, ready: () => worker.getState() === 'RUNNING' }), config.http.port, config.http.host);
  logger.info(
    { role: 'worker', namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, port: boundPort(ops), sdkMetrics },
    'worker running',
  );

  const stop = createShutdown(
    [
      ['worker', () => drainWorker(worker, running)],
      ['ops http', () => closeHttpServer(ops, 5_000)],
      ['temporal connection', () => connection.close()],
    ],
    logger,
  );
  stopOnSignals(stop);
  // A worker that dies on its own (cluster lost for good, fatal error) ends the process, so
  // the orchestrator restarts it.
  const failed = await running.then(
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
