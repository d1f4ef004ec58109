// `npm start` runs its worker in a child process (src/app/worker-child.ts) and restarts it when
// it dies, with a growing delay. The receivers live in the parent, so a worker crash never
// takes them down: their signals wait in Temporal for the next worker.
import { fork, type ChildProcess } from 'node:child_process';
import { extname, join } from 'node:path';
import type { Logger } from '../platform/logger';
import type { Metrics } from '../platform/metrics';
import { isWorkerMessage, type WorkerMessage } from './worker-messages';

export interface WorkerSupervisorOptions {
  /** The child's environment (the parent's, plus where Temporal and the bundle are). */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  metrics: Pick<Metrics, 'followUps' | 'workflowTaskFailures' | 'workerRestarts'>;
  /** Delay before the first restart, doubled after each quick death up to `maxMs`. */
  restart: { initialMs: number; maxMs: number };
  /** How long a stopping worker may drain before it is killed. */
  stopTimeoutMs: number;
  /** The child's entry module; default src/app/worker-child (or lib/, as this file runs). */
  entry?: string;
}

export class WorkerStartError extends Error {
  override name = 'WorkerStartError';
}

export interface SupervisedWorker {
  /** The running worker process, if any. */
  pid(): number | undefined;
  /** Names of the user activities the worker registered. */
  userActivities: string[];
  /** Stops the worker (SIGTERM, then SIGKILL after the drain time) and restarts no more. */
  stop(): Promise<void>;
}

/** A worker that lived this long before dying starts again after the shortest delay. */
const HEALTHY_MS = 60_000;

/** Starts the worker process; resolves once it polls, rejects if it cannot start at all. */
export async function superviseWorker(opts: WorkerSupervisorOptions): Promise<SupervisedWorker> {
  const entry = opts.entry ?? join(__dirname, `worker-child${extname(__filename)}`);
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stopping = false;
  let failures = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  const onMessage = (m: WorkerMessage) => {
    if (m.type === 'follow-up') opts.metrics.followUps.inc(m.labels);
    else if (m.type === 'workflow-task-failed')
      opts.metrics.workflowTaskFailures.inc({ workflow_type: m.workflowType });
  };

  /** One child; resolves with its user activities when it is ready, rejects if it dies first. */
  const spawnOnce = () =>
    new Promise<string[]>((ready, failed) => {
      const startedAt = Date.now();
      // fork keeps the parent's Node flags (tsx's loader under `npm start`); stdout and stderr
      // are the parent's, so the worker's JSON logs land where the receivers' do.
      const proc = fork(entry, [], { env: opts.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child = proc;
      let fatal: string | undefined;
      let isReady = false;
      proc.on('message', (m: unknown) => {
        if (!isWorkerMessage(m)) return;
        if (m.type === 'ready') {
          isReady = true;
          opts.logger.info({ pid: proc.pid }, 'worker process running');
          ready(m.userActivities);
        } else if (m.type === 'fatal') fatal = m.message;
        else onMessage(m);
      });
      exited = new Promise<void>((resolve) =>
        proc.once('exit', (code, signal) => {
          resolve();
          if (child === proc) child = undefined;
          if (!isReady)
            failed(new WorkerStartError(fatal ?? `worker process exited (${signal ?? `code ${code}`}) before it ran`));
          if (stopping) return;
          failures = Date.now() - startedAt >= HEALTHY_MS ? 1 : failures + 1;
          const delayMs = Math.min(opts.restart.maxMs, opts.restart.initialMs * 2 ** (failures - 1));
          opts.logger.error(
            { pid: proc.pid, code, signal, ...(fatal && { err: fatal }), restartInMs: delayMs },
            'worker process died; restarting it',
          );
          restartTimer = setTimeout(() => {
            restartTimer = undefined;
            if (stopping) return;
            opts.metrics.workerRestarts.inc();
            // A restart that fails is logged by its own exit, and retried after a longer delay.
            spawnOnce().catch(() => undefined);
          }, delayMs);
        }),
      );
    });

  let userActivities: string[];
  try {
    userActivities = await spawnOnce();
  } catch (err) {
    // The first start failing is a startup error (a bad activities module, Temporal
    // unreachable): reported to the caller, not retried.
    stopping = true;
    if (restartTimer) clearTimeout(restartTimer);
    throw err;
  }

  return {
    pid: () => child?.pid,
    userActivities,
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const proc = child;
      if (!proc) return;
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), opts.stopTimeoutMs + 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
