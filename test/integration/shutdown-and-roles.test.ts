// Graceful shutdown and the role entrypoints, against a real dev server.
// 1. In process, with the functions every entrypoint uses: a request in flight when shutdown
//    starts is answered and recorded, new connections are refused at once, the worker drains.
// 2. `src/worker.ts` and `src/server.ts` as real child processes joining the cluster (the
//    worker from a bundle built by scripts/bundle-workflows.ts), stopped with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { writeWorkflowBundle } from '../../scripts/bundle-workflows';
import { createApp } from '../../src/app/app';
import { boundPort, closeHttpServer, listen } from '../../src/platform/http-server';
import { createMetrics } from '../../src/platform/metrics';
import { createProviders } from '../../src/providers';
import { createShutdown } from '../../src/platform/shutdown';
import type { RunningCountersignWorker } from '../../src/worker';
import { capturingLogger, postJson } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { startTestWorker } from '../helpers/worker';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await startDevServerEnv();
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

/** Whether a TCP connection to the port is refused (nothing listening any more). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

async function signalNames(workflowId: string): Promise<string[]> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) =>
    e.workflowExecutionSignaledEventAttributes?.signalName
      ? [e.workflowExecutionSignaledEventAttributes.signalName]
      : [],
  );
}

describe('graceful shutdown', () => {
  let server: Server;
  let worker: RunningCountersignWorker;
  const logs = capturingLogger('info');
  const config = testConfig({ SHUTDOWN_TIMEOUT: '30s' });

  beforeAll(async () => {
    worker = await startTestWorker(env, config);
    const app = createApp({
      config,
      client: env.client,
      providers: Object.values(createProviders(config)),
      logger: logs.logger,
      metrics: createMetrics(),
    });
    server = await listen(app, 0, '127.0.0.1');
  });

  afterAll(async () => {
    await closeHttpServer(server, 1000);
    await worker.stop();
  });

  it('finishes the request in flight, refuses new connections, then drains the worker', async () => {
    const port = boundPort(server);
    const id = uniqueId();
    expect(
      (await postJson(`http://127.0.0.1:${port}/transactions`, { provider: 'evrotrust', externalId: id })).status,
    ).toBe(201);

    // A callback whose body is only half sent: in flight until we send the rest.
    const body = Buffer.from(JSON.stringify({ transactionID: id, status: 2 }));
    const arrived = new Promise<void>((resolve) => server.once('request', () => resolve()));
    const req = request({
      port,
      host: '127.0.0.1',
      method: 'POST',
      path: '/callbacks/evrotrust',
      headers: { 'content-type': 'application/json', 'content-length': body.length },
    });
    const answer = new Promise<number>((resolve, reject) => {
      req.once('response', (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      });
      req.once('error', reject);
    });
    req.write(body.subarray(0, 10));
    await arrived;

    const stop = createShutdown(
      [
        ['http', () => closeHttpServer(server, config.shutdownTimeoutMs)],
        ['worker', () => worker.stop()],
      ],
      logs.logger,
    );
    const stopped = stop('test');
    // From the first moment: no new connection is accepted.
    expect(await refused(port)).toBe(true);

    // The request in flight completes, and its signal reached the workflow.
    req.end(body.subarray(10));
    expect(await answer).toBe(200);
    await stopped;
    expect(await signalNames(`signing:evrotrust:${id}`)).toEqual(['signed']);
    expect(worker.worker.getState()).toBe('STOPPED');
    expect(server.listening).toBe(false);
    expect(await refused(port)).toBe(true);
    expect(logs.text()).toContain('"step":"http"');
    expect(logs.text()).toContain('"step":"worker"');
  });

  it('runs its steps once however often it is asked, and goes on past a failing step', async () => {
    const order: string[] = [];
    const stop = createShutdown(
      [
        ['a', async () => void order.push('a')],
        [
          'b',
          async () => {
            order.push('b');
            throw new Error('stuck');
          },
        ],
        ['c', async () => void order.push('c')],
      ],
      logs.logger,
    );
    await Promise.all([stop('one'), stop('two')]);
    await stop('three');
    expect(order).toEqual(['a', 'b', 'c']);
    expect(logs.text()).toMatch(/"step":"b","err":"stuck","msg":"shutdown step failed"/);
  });
});

// ---- role entrypoints as real processes --------------------------------------------------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Role {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function startRole(entry: string, env: Record<string, string>): Role {
  const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [join(__dirname, '..', '..', 'src', entry)], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** Polls until the URL answers 2xx; fails with the role's output if it exits first. */
async function untilReady(url: string, role: Role): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (role.child.exitCode !== null) throw new Error(`exited ${role.child.exitCode}:\n${role.output()}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} never ready:\n${role.output()}`);
}

describe('role entrypoints', () => {
  let worker: Role | undefined;
  let server: Role | undefined;

  afterAll(() => {
    for (const role of [worker, server]) if (role && role.child.exitCode === null) role.child.kill('SIGKILL');
  });

  it('run apart, share the cluster, expose their metrics, and stop cleanly on SIGTERM', async () => {
    const bundlePath = await writeWorkflowBundle(
      join(mkdtempSync(join(tmpdir(), 'countersign-bundle-')), 'workflow-bundle.js'),
    );
    const [serverPort, workerPort, sdkPort] = [await freePort(), await freePort(), await freePort()];
    const common = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: uniqueId('roles'),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    };
    worker = startRole('worker.ts', {
      ...common,
      PORT: String(workerPort),
      TEMPORAL_METRICS_PORT: String(sdkPort),
      WORKFLOW_BUNDLE_PATH: bundlePath,
    });
    server = startRole('server.ts', { ...common, PORT: String(serverPort) });
    await untilReady(`http://127.0.0.1:${workerPort}/readyz`, worker);
    await untilReady(`http://127.0.0.1:${serverPort}/readyz`, server);
    // The worker bundled nothing at startup: it ran the prebuilt bundle.
    expect(worker.output()).not.toMatch(/webpack|Workflow bundle created/i);

    // A transaction through the server process, run by the worker process.
    const base = `http://127.0.0.1:${serverPort}`;
    const id = uniqueId();
    expect((await postJson(`${base}/transactions`, { provider: 'evrotrust', externalId: id })).status).toBe(201);
    expect((await postJson(`${base}/callbacks/evrotrust`, { transactionID: id, status: 2 })).status).toBe(200);
    const state = (await (await fetch(`${base}/transactions/signing:evrotrust:${id}`)).json()) as { status: string };
    expect(state.status).toBe('signed');

    // The worker's own metrics, and the Temporal SDK's on their own port.
    const ops = await (await fetch(`http://127.0.0.1:${workerPort}/metrics`)).text();
    expect(ops).toContain('# TYPE countersign_follow_ups_total counter');
    const sdk = await (await fetch(`http://127.0.0.1:${sdkPort}/metrics`)).text();
    expect(sdk).toMatch(/^temporal_\w+/m);
    expect(sdk).toMatch(
      /temporal_workflow_completed_total|temporal_workflow_task_execution_latency|temporal_worker_task_slots_available/,
    );

    server.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(await worker.exited).toBe(0);
    expect(server.output()).toContain('"step":"http"');
    expect(worker.output()).toContain('"step":"worker"');
    for (const port of [serverPort, workerPort, sdkPort]) expect(await refused(port)).toBe(true);
  }, 120_000);
});
