// The Temporal worker: Countersign's workflows and activities, plus any the user registers.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import type { Config } from './config';
import type { Provider } from './providers/provider';
import type { ProviderName } from './shared/types';

export interface WorkerDeps {
  connection: NativeConnection;
  config: Config;
  providers: Partial<Record<ProviderName, Provider>>;
  /** Prebuilt workflow bundle (tests, production images); otherwise bundled from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra options (cache size, concurrency, the user's own activities). */
  options?: Partial<WorkerOptions>;
}

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const { activities: extraActivities, ...rest } = deps.options ?? {};
  return Worker.create({
    connection: deps.connection,
    namespace: deps.config.temporal.namespace,
    taskQueue: deps.config.temporal.taskQueue,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: { ...createActivities({ providers: deps.providers }), ...extraActivities },
    // WORKER_* settings; the caller's explicit options still win.
    ...deps.config.worker,
    ...rest,
  });
}

/** `npm run worker`: a worker alone, joining the cluster at TEMPORAL_ADDRESS. */
async function main() {
  const { loadConfig } = await import('./config');
  const { createProviders } = await import('./providers');
  const config = loadConfig();
  const connection = await NativeConnection.connect({ address: config.temporal.address ?? `127.0.0.1:${config.temporal.devServer.port}` });
  const worker = await createWorker({ connection, config, providers: createProviders(config) });
  await worker.run();
  await connection.close();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
