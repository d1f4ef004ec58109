// Worker Deployment versioning (docs/upgrading.md): the worker options that make a worker
// poll as one version, and the client calls a deploy makes around it.
import type { Client } from '@temporalio/client';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import type { WorkerOptions } from '@temporalio/worker';
import type { Config } from '../config';

/** Nothing when unversioned, so such a worker is created exactly as before. */
export function deploymentWorkerOptions(
  temporal: Pick<Config['temporal'], 'deploymentVersion'>,
): Pick<WorkerOptions, 'workerDeploymentOptions'> {
  const version = temporal.deploymentVersion;
  if (!version) return {};
  // Pinned: a run never replays on code it did not start on, so a patch marker written by
  // one version can never meet another; it moves at its continue-as-new instead.
  return { workerDeploymentOptions: { useWorkerVersioning: true, version, defaultVersioningBehavior: 'PINNED' } };
}

// The server learns of a deployment, its versions and their task queues from the workers'
// first polls: until then it answers NOT_FOUND or FAILED_PRECONDITION.
const NOT_READY = new Set([5, 9]);

/**
 * Makes `version` the one new transactions (and every run handing over) start on, as
 * `temporal worker deployment set-current-version` does. Retries while the server has not yet
 * seen the version's workers poll all its task queues, up to `timeoutMs`.
 */
export async function setCurrentVersion(
  client: Client,
  version: WorkerDeploymentVersion,
  timeoutMs = 60_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.workflowService.setWorkerDeploymentCurrentVersion({
        namespace: client.options.namespace,
        deploymentName: version.deploymentName,
        buildId: version.buildId,
        identity: 'countersign',
      });
      return;
    } catch (err) {
      if (Date.now() > end || !NOT_READY.has((err as { code?: number }).code ?? 0)) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** The visibility query of the runs still open on `version`: none left, and it can be retired. */
export function openOnVersionQuery(version: WorkerDeploymentVersion): string {
  return `TemporalWorkerDeploymentVersion = '${version.deploymentName}:${version.buildId}' AND ExecutionStatus = 'Running'`;
}

/** How many runs are still open on `version` (visibility lags writes by a moment). */
export async function openOnVersion(client: Client, version: WorkerDeploymentVersion): Promise<number> {
  const { count } = await client.workflow.count(openOnVersionQuery(version));
  return count;
}
