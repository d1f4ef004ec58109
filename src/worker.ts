// The Temporal worker: Countersign's workflows and activities, plus any the user registers.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import { createFollowUpWorkers } from './temporal/follow-up-workers';
import { stepDepsFromConfig } from './activities/steps';
import { loadConfig, type Config } from './config';
import { createProviders } from './providers';
import type { Provider } from './providers/provider';
import type { ProviderName } from './shared/types';
import { checkUserActivities, loadUserActivities, mergeUserActivities, type UserActivities } from './user-activities';

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
    activities: { ...createActivities({ providers: deps.providers, steps: stepDepsFromConfig(deps.config) }), ...extraActivities },
    ...rest,
  });
}

export interface CountersignWorkerOptions {
  /**
   * Your own activities, by name. Each can be named as a post-signing step
   * (`{"onSigned": ["archiveContract"]}`); a step receives a `StepInput`.
   */
  activities?: UserActivities;
  /** Default: parsed from the environment. COUNTERSIGN_ACTIVITIES_MODULE adds that module's activities. */
  config?: Config;
  /** Default: a connection to TEMPORAL_ADDRESS (or the embedded dev server's port), closed on stop. */
  connection?: NativeConnection;
  providers?: Partial<Record<ProviderName, Provider>>;
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Any other Temporal worker option (concurrency, cache size, interceptors, ...). */
  workerOptions?: Partial<Omit<WorkerOptions, 'activities' | 'taskQueue' | 'namespace' | 'connection'>>;
}

export interface RunningCountersignWorker {
  worker: Worker;
  /** Names of the user activities the worker registered. */
  userActivities: string[];
  /** Settles when the worker stops; rejects if it fails. */
  done: Promise<void>;
  /** Stops polling, lets running activities finish, closes a connection it opened. */
  stop(): Promise<void>;
}

/**
 * Starts a Countersign worker with your own activities, without touching Countersign's
 * workflows. The activities given here and those of COUNTERSIGN_ACTIVITIES_MODULE are merged;
 * a name used twice, or one of Countersign's own (`followUp`, `downloadSignedDocument`,
 * `notifyApplication`), is refused before the worker starts.
 */
export async function startCountersignWorker(options: CountersignWorkerOptions = {}): Promise<RunningCountersignWorker> {
  const config = options.config ?? loadConfig();
  const given = checkUserActivities(options.activities ?? {}, 'startCountersignWorker({ activities })');
  const fromModule = config.steps.activitiesModule ? await loadUserActivities(config.steps.activitiesModule, { config }) : {};
  const activities = mergeUserActivities(given, fromModule);
  const ownConnection = options.connection === undefined;
  const connection =
    options.connection ?? (await NativeConnection.connect({ address: config.temporal.address ?? `127.0.0.1:${config.temporal.devServer.port}` }));
  try {
    const providers = options.providers ?? createProviders(config);
    const worker = await createWorker({
      connection,
      config,
      providers,
      ...(options.workflowBundle && { workflowBundle: options.workflowBundle }),
      options: { ...options.workerOptions, activities },
    });
    // Follow-ups run on a task queue per provider (rate-limited by the server): without
    // these workers they would wait in their queues forever.
    const followUpWorkers = await createFollowUpWorkers({ connection, config, providers });
    const done = Promise.all([worker.run(), ...followUpWorkers.map((w) => w.run())]).then(() => undefined);
    return {
      worker,
      userActivities: Object.keys(activities),
      done,
      async stop() {
        for (const w of [worker, ...followUpWorkers]) if (w.getState() === 'RUNNING') w.shutdown();
        await done.catch(() => undefined);
        if (ownConnection) await connection.close();
      },
    };
  } catch (err) {
    if (ownConnection) await connection.close();
    throw err;
  }
}

/** `npm run worker`: a worker alone, joining the cluster at TEMPORAL_ADDRESS. */
async function main() {
  const running = await startCountersignWorker();
  if (running.userActivities.length) console.log(`user activities: ${running.userActivities.join(', ')}`);
  await running.done;
  await running.stop();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
