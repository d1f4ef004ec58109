// Jest's globalTeardown. Without --forceExit, Jest waits for every handle a test left open (a
// server not closed, a client connection, a child process, a ref'd timer), and in CI that wait
// has no end. This waits a grace period after the run, then says on stderr exactly what is still
// open and ends the process with the run's own exit code: a leak is visible, never silent, and
// never turns a red run green or a green one red.
import type { ChildProcess } from 'node:child_process';
import type { Server, Socket } from 'node:net';

/** Long enough for sockets in keep-alive and servers still draining to close on their own. */
const DEFAULT_GRACE_MS = 30_000;

type Handle = { constructor: { name: string } };

function describeHandle(h: Handle): string {
  const kind = h.constructor.name;
  if (kind === 'Server') {
    const address = (h as unknown as Server).address();
    return `server listening on ${typeof address === 'string' ? address : address ? `${address.address}:${address.port}` : '?'}`;
  }
  if (kind === 'Socket') {
    const s = h as unknown as Socket;
    if (s.remotePort === undefined)
      return `socket (pipe or stdio${(s as unknown as { fd?: number }).fd !== undefined ? ` fd ${(s as unknown as { fd?: number }).fd}` : ''})`;
    return `socket ${s.localAddress}:${s.localPort} -> ${s.remoteAddress}:${s.remotePort}`;
  }
  if (kind === 'ChildProcess') {
    const c = h as unknown as ChildProcess;
    // Arguments only (never the environment, which may hold test credentials).
    return `child process ${c.pid}: ${c.spawnargs.join(' ').slice(0, 200)}`;
  }
  return kind;
}

/** What keeps the event loop alive: the handles with details, plus resources Node only counts. */
export function openHandles(): string[] {
  const getHandles = (process as unknown as { _getActiveHandles?: () => Handle[] })._getActiveHandles;
  const handles = (getHandles?.call(process) ?? []).filter((h) => {
    // Jest's own stdout/stderr are not the tests' doing.
    const fd = (h as unknown as { fd?: number }).fd;
    return !(
      h.constructor.name === 'WriteStream' ||
      ((h.constructor.name === 'Socket' || h.constructor.name === 'Pipe') && (fd === 1 || fd === 2))
    );
  });
  const described = handles.map(describeHandle);
  // Timers and pending requests are not in the handle list; Node names them by kind.
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (['TTYWrap', 'PipeWrap', 'TCPWrap', 'TCPServerWrap', 'ProcessWrap'].includes(kind)) continue;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  for (const [kind, n] of counts) described.push(n > 1 ? `${kind} x${n}` : kind);
  return described;
}

export default function reportOpenHandles(): void {
  const grace = Number(process.env.COUNTERSIGN_TEST_EXIT_GRACE_MS ?? DEFAULT_GRACE_MS);
  if (!Number.isFinite(grace) || grace <= 0) return;
  // unref: this timer alone never keeps the process alive, so a clean run exits at once.
  setTimeout(() => {
    const open = openHandles();
    // Native add-ons hold the loop without a Node handle: the Temporal SDK's runtime, created by
    // Runtime.install or a first worker, lives until its last native connection or worker closes.
    const listed =
      open.length > 0
        ? open.map((h) => `  - ${h}\n`).join('')
        : '  (no Node handle: a native add-on, such as a Temporal runtime that was never shut down)\n';
    process.stderr.write(
      `\nJest has not exited ${grace / 1000}s after the run: something a test started is still open.\n` +
        listed +
        "Find the test with `npx jest --runInBand --detectOpenHandles <file>`. Exiting with the run's own result.\n",
    );
    // Without an argument, Jest's own exit handler sets the code from the results.
    process.exit();
  }, grace).unref();
}
