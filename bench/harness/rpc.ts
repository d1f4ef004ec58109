// Request/answer over a forked child's IPC channel: the system under test and the load
// generator each get a process of their own, so neither shares an event loop with the other
// or with the orchestrator that measures them.
import { fork } from 'node:child_process';

type Reply = { id: number; result?: unknown; error?: string };

export interface Child {
  pid: number;
  /** What the child announced when it was ready (its URL, its pid). */
  ready: Record<string, unknown>;
  call<T>(method: string, params?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function forkChild(
  modulePath: string,
  opts: { env: NodeJS.ProcessEnv; cwd: string; stdout?: number; onProgress?: (line: string) => void },
): Promise<Child> {
  const out = opts.stdout ?? 'inherit';
  // --expose-gc: a memory reading after a forced collection holds no garbage from the last burst.
  const child = fork(modulePath, [], {
    env: opts.env,
    cwd: opts.cwd,
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', out, out, 'ipc'],
  });
  const pending = new Map<number, (r: Reply) => void>();
  let nextId = 1;
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      for (const answer of pending.values()) answer({ id: 0, error: `${modulePath} exited (${code ?? signal})` });
      pending.clear();
      resolve();
    }),
  );
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    void exit.then(() => reject(new Error(`${modulePath} exited before it was ready`)));
    child.on('message', (raw) => {
      const msg = raw as Reply & { ready?: Record<string, unknown>; progress?: string };
      if (msg.ready) return resolve(msg.ready);
      if (msg.progress) return opts.onProgress?.(msg.progress);
      pending.get(msg.id)?.(msg);
      pending.delete(msg.id);
    });
  });
  const api = {
    pid: child.pid!,
    call<T>(method: string, params?: unknown): Promise<T> {
      if (exited) return Promise.reject(new Error(`${modulePath} is not running`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, (r) => (r.error !== undefined ? reject(new Error(r.error)) : resolve(r.result as T)));
        child.send({ id, method, params });
      });
    },
    async stop() {
      if (exited) return;
      child.send({ id: 0, method: 'stop' });
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(kill);
    },
  };
  try {
    return { ...api, ready: await ready };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

/** The child's side: answers calls until asked to stop, or until its parent is gone. */
export function serve(methods: Record<string, (params: never) => unknown>, onStop: () => Promise<void>): void {
  const stop = () => void onStop().finally(() => process.exit(0));
  process.on('disconnect', stop);
  process.on('message', (raw) => {
    const { id, method, params } = raw as { id: number; method: string; params: never };
    if (method === 'stop') return stop();
    Promise.resolve()
      .then(() => {
        const fn = methods[method];
        if (!fn) throw new Error(`no method ${method}`);
        return fn(params);
      })
      .then(
        (result) => process.send?.({ id, result }),
        (err: unknown) =>
          process.send?.({ id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
}

export const announceReady = (info: Record<string, unknown>) => process.send?.({ ready: info });
export const reportProgress = (line: string) => process.send?.({ progress: line });
