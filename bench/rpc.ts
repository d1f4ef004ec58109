// A tiny request/answer protocol over the IPC channel of a forked child, so the orchestrator
// can drive the system under test and the load generator as separate processes.
import { fork, type ChildProcess } from 'node:child_process';

interface Request {
  id: number;
  method: string;
  params: unknown;
}
type Reply = { id: number; result: unknown } | { id: number; error: string };
interface Progress {
  progress: string;
}

export class ChildFailedError extends Error {
  override name = 'ChildFailedError';
}

export interface Child {
  pid: number | undefined;
  call<T>(method: string, params?: unknown): Promise<T>;
  /** Asks the child to stop and waits for it to exit (kills it after a grace period). */
  stop(): Promise<void>;
}

/**
 * Forks a TypeScript module under tsx. `ready` resolves once the child said so; lines the
 * child reports as progress go to `onProgress`.
 */
export async function forkChild(
  modulePath: string,
  opts: {
    env: NodeJS.ProcessEnv;
    cwd: string;
    stdout?: number | 'inherit' | 'ignore';
    onProgress?: (line: string) => void;
    execArgv?: string[];
  },
): Promise<Child & { ready: unknown }> {
  const out = opts.stdout ?? 'inherit';
  const child: ChildProcess = fork(modulePath, [], {
    env: opts.env,
    cwd: opts.cwd,
    execArgv: [...(opts.execArgv ?? []), '--import', 'tsx'],
    stdio: ['ignore', out, out, 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      for (const p of pending.values())
        p.reject(new ChildFailedError(`${modulePath} exited (${code ?? signal}) during a call`));
      pending.clear();
      resolve();
    }),
  );
  const ready = new Promise<unknown>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new ChildFailedError(`${modulePath} exited with code ${code} before it was ready`)),
    );
    child.on('message', (raw) => {
      const msg = raw as Reply | Progress | { ready: unknown };
      if ('ready' in msg) return resolve(msg.ready);
      if ('progress' in msg) return opts.onProgress?.(msg.progress);
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if ('error' in msg) p.reject(new ChildFailedError(msg.error));
      else p.resolve(msg.result);
    });
  });
  const api: Child = {
    pid: child.pid,
    call<T>(method: string, params?: unknown) {
      if (exited) return Promise.reject(new ChildFailedError(`${modulePath} is not running`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, method, params } satisfies Request);
      });
    },
    async stop() {
      if (exited) return;
      child.send({ id: 0, method: 'stop', params: undefined } satisfies Request);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
  try {
    return { ...api, ready: await ready };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

/** The child's side: serve methods until asked to stop. */
export function serve(methods: Record<string, (params: never) => unknown>, onStop: () => Promise<void>): void {
  process.on('message', (raw) => {
    const { id, method, params } = raw as Request;
    if (method === 'stop') {
      void onStop().finally(() => process.exit(0));
      return;
    }
    const fn = methods[method];
    Promise.resolve()
      .then(() => {
        if (!fn) throw new Error(`no method ${method}`);
        return fn(params as never);
      })
      .then(
        (result) => process.send?.({ id, result }),
        (err: unknown) =>
          process.send?.({ id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
  // The orchestrator died: do not linger as an orphan.
  process.on('disconnect', () => void onStop().finally(() => process.exit(0)));
}

export function announceReady(info: unknown): void {
  process.send?.({ ready: info });
}

export function reportProgress(line: string): void {
  process.send?.({ progress: line });
}
