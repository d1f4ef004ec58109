// The Temporal worker: Countersign's workflows and activities, plus any the user registers.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { stepDepsFromConfig } from '../activities/steps';
import { loadConfig, type Config } from '../config';
import { createProviders } from '../providers';
import type { Provider } from '../providers/provider';
import type { ProviderName } from '../common/types';
import { drainWorker } from '../platform/shutdown';
import type { Metrics } from '../platform/metrics';
import { createDataConverter } from '../encryption/data-converter';
import { temporalConnectionOptions } from '../temporal/connection-options';
import { createFollowUpWorkers } from './follow-up-workers';
import { deploymentWorkerOptions } from '../temporal/worker-deployment';
import { tracingFor, tracingWorkerOptions, WORKFLOW_TRACING_MODULE } from '../tracing/temporal';
import {
  checkUserActivities,
  loadUserActivities,
  mergeUserActivities,
  type UserActivities,
} from '../activities/user-activities';

interface WorkerDeps {
  connection: NativeConnection;
  config: Config;
  providers: Record<ProviderName, Provider>;
  /** Prebuilt workflow bundle (tests); otherwise WORKFLOW_BUNDLE_PATH, else bundled from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Where activities count what they do (the process's /metrics). */
  metrics?: Pick<Metrics, 'followUps'>;
  /** Extra options (cache size, concurrency, the user's own activities). */
  options?: Partial<WorkerOptions>;
}

function workflowSource(
  deps: Pick<WorkerDeps, 'workflowBundle' | 'config'>,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (deps.workflowBundle) return { workflowBundle: deps.workflowBundle };
  const codePath = deps.config.temporal.workflowBundlePath;
  // Production images bundle at build time (scripts/bundle-workflows.ts): no webpack at startup.
  if (codePath) return { workflowBundle: { codePath } };
  return { workflowsPath: require.resolve('../workflows') };
}

/** Ours first, then the caller's: both run. */
function withTracing(
  tracing: Pick<WorkerOptions, 'interceptors' | 'sinks'>,
  bundled: boolean,
  given: Partial<WorkerOptions>,
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      ...given.interceptors,
      activity: [...(tracing.interceptors?.activity ?? []), ...(given.interceptors?.activity ?? [])],
      // Bundled from source here, so the bundler takes them from the worker's options.
      ...(!bundled && {
        workflowModules: [WORKFLOW_TRACING_MODULE, ...(given.interceptors?.workflowModules ?? [])],
      }),
    },
    sinks: { ...tracing.sinks, ...given.sinks },
  };
}

// Only through startCountersignWorker: a workflow worker without its follow-up workers would
// leave follow-ups waiting in their task queues forever.
async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const { activities: extraActivities, ...rest } = deps.options ?? {};
  const source = workflowSource(deps);
  return Worker.create({
    connection: deps.connection,
    namespace: deps.config.temporal.namespace,
    taskQueue: deps.config.temporal.taskQueue,
    ...source,
    // Decodes what clients encrypted, encrypts what workflows and activities produce.
    dataConverter: createDataConverter(deps.config.encryption),
    activities: {
      ...createActivities({ providers: deps.providers, steps: stepDepsFromConfig(deps.config), metrics: deps.metrics }),
      ...extraActivities,
    },
    // Activities in flight when the process is asked to stop get this long to finish.
    shutdownGraceTime: deps.config.shutdownTimeoutMs,
    // TEMPORAL_DEPLOYMENT_NAME and TEMPORAL_WORKER_BUILD_ID: poll as that deployment version.
    ...deploymentWorkerOptions(deps.config.temporal),
    // WORKER_* settings; the caller's explicit options still win.
    ...deps.config.worker,
    ...rest,
    ...withTracing(tracingWorkerOptions(tracingFor(deps.config)), !!source.workflowBundle, rest),
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
  providers?: Record<ProviderName, Provider>;
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Where activities count what they do (the process's /metrics). */
  metrics?: Pick<Metrics, 'followUps'>;
  /** Any other Temporal worker option (concurrency, cache size, interceptors, ...). */
  workerOptions?: Partial<Omit<WorkerOptions, 'activities' | 'taskQueue' | 'namespace' | 'connection'>>;
}

export interface RunningCountersignWorker {
  /** The worker of the workflows and of every activity but the follow-ups on their own queues. */
  worker: Worker;
  /** One per provider follow-up task queue (FOLLOW_UP_TASK_QUEUES); empty when those are off. */
  followUpWorkers: Worker[];
  /** Names of the user activities the worker registered. */
  userActivities: string[];
  /** Settles when the worker stops; rejects if it fails. */
  done: Promise<void>;
  /** Stops polling, lets running activities finish, closes a connection it opened. */
  stop(): Promise<void>;
}

/**
 * Starts a Countersign worker with your own activities, without touching Countersign's
 * workflows, plus the follow-up workers (one per provider task queue). The activities given
 * here and those of COUNTERSIGN_ACTIVITIES_MODULE are merged; a name used twice, or one of
 * Countersign's own (`followUp`, `downloadSignedDocument`, `notifyApplication`), is refused
 * before the worker starts.
 */
export async function startCountersignWorker(
  options: CountersignWorkerOptions = {},
): Promise<RunningCountersignWorker> {
  const config = options.config ?? loadConfig();
  const given = checkUserActivities(options.activities ?? {}, 'startCountersignWorker({ activities })');
  const fromModule = config.steps.activitiesModule
    ? await loadUserActivities(config.steps.activitiesModule, { config })
    : {};
  const activities = mergeUserActivities(given, fromModule);
  const ownConnection = options.connection === undefined;
  const connection = options.connection ?? (await NativeConnection.connect(temporalConnectionOptions(config.temporal)));
  try {
    const providers = options.providers ?? createProviders(config);
    const worker = await createWorker({
      connection,
      config,
      providers,
      metrics: options.metrics,
      ...(options.workflowBundle && { workflowBundle: options.workflowBundle }),
      options: { ...options.workerOptions, activities },
    });
    // Follow-ups run on a task queue per provider (rate-limited by the server): without
    // these workers they would wait in their queues forever.
    const followUpWorkers = await createFollowUpWorkers({ connection, config, providers, metrics: options.metrics });
    const all = [worker, ...followUpWorkers];
    const runs = all.map((w) => w.run());
    const done = Promise.all(runs).then(() => undefined);
    return {
      worker,
      followUpWorkers,
      userActivities: Object.keys(activities),
      done,
      async stop() {
        await Promise.all(all.map((w, i) => drainWorker(w, runs[i])));
        await done.catch(() => undefined);
        if (ownConnection) await connection.close();
      },
    };
  } catch (err) {
    if (ownConnection) await connection.close();
    throw err;
  }
}
