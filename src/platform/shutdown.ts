// Graceful shutdown, shared by `npm start` and the role entrypoints: stop accepting, let
// in-flight requests finish, drain the worker, then close connections, in that order.
import type { Worker } from '@temporalio/worker';
import type { Logger } from './logger';

export type ShutdownStep = [name: string, run: () => Promise<void>];

/**
 * Asks the worker to stop polling, waits for its in-flight workflow and activity tasks
 * (activities get the worker's `shutdownGraceTime`), and for `run()` to settle.
 */
export async function drainWorker(worker: Worker, running: Promise<void>): Promise<void> {
  if (worker.getState() === 'RUNNING') worker.shutdown();
  await running.catch(() => undefined);
}

/**
 * Runs the steps once, in order, whatever the number of calls; a failing step is logged and
 * the next one still runs, so a stuck part never keeps the rest open.
 */
export function createShutdown(steps: ShutdownStep[], logger: Logger): (reason: string) => Promise<void> {
  let done: Promise<void> | undefined;
  return (reason) => {
    done ??= (async () => {
      logger.info({ reason }, 'shutting down');
      for (const [name, run] of steps) {
        try {
          await run();
          logger.info({ step: name }, 'stopped');
        } catch (err) {
          logger.error({ step: name, err: (err as Error).message }, 'shutdown step failed');
        }
      }
    })();
    return done;
  };
}

/**
 * SIGINT and SIGTERM run the shutdown, then exit. Repeats are ignored: under `npm start` a
 * Ctrl-C arrives twice (from the terminal and forwarded by npm).
 */
export function stopOnSignals(stop: (reason: string) => Promise<void>): void {
  const onSignal = (signal: NodeJS.Signals) => void stop(signal).then(() => process.exit(0));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
