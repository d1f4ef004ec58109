// The embedded Temporal dev server that `npm start` runs when no TEMPORAL_ADDRESS is given:
// SQLite under the data folder (kept across restarts), the Web UI, and our search attributes.
import { Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { ALL_SEARCH_ATTRIBUTES } from '../common/search-attributes';
import { cliTypeName } from '../temporal/readiness';
import { temporalCliPath } from './binaries';
import { assertPortFree } from '../platform/port-check';

/**
 * The port opens before the frontend serves: a loaded machine answered "Frontend is not
 * healthy yet" to the first calls for seconds. Ready means it answers GetSystemInfo.
 */
async function waitForFrontend(address: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the Temporal dev server exited (code ${child.exitCode})`);
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: '2s' });
      await connection.workflowService.getSystemInfo({});
      return;
    } catch (err) {
      if (Date.now() > end)
        throw new Error(`the Temporal dev server at ${address} never became healthy: ${(err as Error).message}`);
    } finally {
      await connection?.close();
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface DevServerOptions {
  port: number;
  uiPort: number;
  dataDir: string;
  namespace: string;
  cliPath?: string;
  /** Bind address; loopback by default, since the dev server has no authentication. */
  ip?: string;
  /** The codec server the Web UI calls to show encrypted payloads in clear. */
  codecEndpoint?: string;
  /** SQLite pragmas (`name=value`); default WAL with synchronous=normal. `[]` keeps SQLite's own defaults. */
  sqlitePragmas?: string[];
}

export const DEFAULT_SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

export interface DevServer {
  address: string;
  uiUrl: string;
  dbFile: string;
  logFile: string;
  /** The server process, for resource measurements. */
  pid: number | undefined;
  stop(): Promise<void>;
}

function waitForPort(port: number, host: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolvePromise, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`Temporal dev server exited with code ${child.exitCode}`));
      const socket = connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        resolvePromise();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > until)
          return reject(new Error(`Temporal dev server did not listen on ${host}:${port} within ${timeoutMs} ms`));
        setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const dbFile = join(dataDir, 'temporal.db');
  const logFile = join(dataDir, 'temporal.log');
  // Checked first: with the port taken, waiting for it to answer would find the other program.
  await assertPortFree(opts.port, ip, 'TEMPORAL_PORT');
  await assertPortFree(opts.uiPort, ip, 'TEMPORAL_UI_PORT');
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    dbFile,
    '--ip',
    ip,
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    '--ui-disable-news-fetch',
    ...(opts.codecEndpoint ? ['--ui-codec-endpoint', opts.codecEndpoint] : []),
    // WAL lets readers (the Web UI, queries) run beside the writer.
    ...(opts.sqlitePragmas ?? DEFAULT_SQLITE_PRAGMAS).flatMap((p) => ['--sqlite-pragma', p]),
    ...ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${cliTypeName(key)}`]),
    // TemporalReportedProblems marks a workflow stuck after this many failed tasks in a row
    // (reported-problems.ts); two already rule out a passing hiccup, and say so in seconds.
    '--dynamic-config-value',
    'system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute=2',
  ];
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(temporalCliPath(opts.cliPath), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));

  try {
    await waitForPort(opts.port, ip, 60_000, child);
    await waitForFrontend(`${ip === '0.0.0.0' ? '127.0.0.1' : ip}:${opts.port}`, 60_000, child);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}; see ${logFile}`);
  }

  return {
    address: `${ip}:${opts.port}`,
    uiUrl: `http://${ip === '0.0.0.0' ? 'localhost' : ip}:${opts.uiPort}`,
    dbFile,
    logFile,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      log.end();
    },
  };
}
