// One activity-only worker per provider, on that provider's follow-up task queue, with the
// provider's rate limit enforced by the Temporal server for the whole queue (every worker
// process together). When 100 000 silent transactions time out at once their follow-ups
// wait in the queue instead of flooding the provider or holding activity slots.
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Config } from '../config';
import { createDataConverter } from '../encryption/data-converter';
import type { Metrics } from '../platform/metrics';
import type { Provider } from '../providers/provider';
import { deploymentWorkerOptions } from '../temporal/worker-deployment';
import { tracingFor, tracingWorkerOptions } from '../tracing/temporal';

export interface FollowUpWorkerDeps {
  connection: NativeConnection;
  config: Config;
  providers: Record<string, Provider>;
  metrics?: Pick<Metrics, 'followUps'>;
}

/** Empty when FOLLOW_UP_TASK_QUEUES is off: follow-ups then run on the main task queue. */
export async function createFollowUpWorkers(deps: FollowUpWorkerDeps): Promise<Worker[]> {
  const workers: Worker[] = [];
  for (const provider of deps.config.providerModules.names) {
    const taskQueue = deps.config.engine.providers[provider]?.followUpTaskQueue;
    if (!taskQueue) continue;
    const rate = deps.config.providers[provider].rateLimit;
    workers.push(
      await Worker.create({
        connection: deps.connection,
        namespace: deps.config.temporal.namespace,
        taskQueue,
        dataConverter: createDataConverter(deps.config.encryption),
        activities: createActivities({ providers: deps.providers, metrics: deps.metrics }),
        // The same version as the workflow worker: a version counts as ready (set-current-version)
        // only once every task queue its predecessor polled is polled again.
        ...deploymentWorkerOptions(deps.config.temporal),
        maxTaskQueueActivitiesPerSecond: rate,
        // A follow-up mostly waits on the network; more slots than the rate allows per
        // second buy nothing.
        maxConcurrentActivityTaskExecutions: Math.max(2, Math.ceil(rate * 2)),
        interceptors: tracingWorkerOptions(tracingFor(deps.config)).interceptors,
      }),
    );
  }
  return workers;
}
