// Countersign's workers in a test, assembled by startCountersignWorker as `npm start`, the
// worker entry point and the benchmark assemble them: the workflow worker with the engine's
// activities and the user's, and the follow-up workers of the configuration.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Config } from '../../src/config';
import { startCountersignWorker, type CountersignWorkerOptions, type RunningCountersignWorker } from '../../src/worker';
import { workflowBundle } from './temporal';

export type TestWorkerOptions = Omit<CountersignWorkerOptions, 'config' | 'connection'>;

/** Polls `config`'s task queues on the environment's server, with the bundle built once per test file. */
export async function startTestWorker(
  env: TestWorkflowEnvironment,
  config: Config,
  options: TestWorkerOptions = {},
): Promise<RunningCountersignWorker> {
  return startCountersignWorker({
    workflowBundle: await workflowBundle(),
    ...options,
    config,
    connection: env.nativeConnection,
  });
}

/**
 * Like the SDK's `Worker.runUntil`, for all of Countersign's workers: they poll until `fn`
 * settles, then stop; a worker that fails or stops first fails the call.
 */
export async function runUntil<T>(running: RunningCountersignWorker, fn: Promise<T> | (() => Promise<T>)): Promise<T> {
  const stoppedFirst = running.done.then(() => {
    throw new Error('the worker stopped before the test was done');
  });
  // Settles after the race too, once stop() ends the workers: nobody needs that outcome then.
  stoppedFirst.catch(() => undefined);
  try {
    return await Promise.race([typeof fn === 'function' ? fn() : fn, stoppedFirst]);
  } finally {
    await running.stop();
  }
}

/** A worker started for the length of `fn`. */
export async function withTestWorker<T>(
  env: TestWorkflowEnvironment,
  config: Config,
  options: TestWorkerOptions,
  fn: () => Promise<T>,
): Promise<T> {
  return runUntil(await startTestWorker(env, config, options), fn);
}
