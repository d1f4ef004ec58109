// `npm start` as a real process (src/main.ts, its own dev server on free ports and its own
// data folder): the worker runs in a child process. Killed with SIGKILL while callbacks
// stream in, the receivers keep answering 200, the worker comes back by itself (a new pid),
// and every callback answered 2xx shows in its transaction. A workflow whose tasks fail is
// counted in /metrics and logged with its id. Ctrl-C's SIGTERM stops everything, the worker
// process included.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createDataConverter } from '../../src/encryption/data-converter';
import { ensureDevKeys } from '../../src/encryption/dev-secrets';
import { createProviders } from '../../src/providers';
import type { TransactionState } from '../../src/common/types';
import { bundleWorkflows } from '../../src/temporal/workflow-bundle';
import { testConfig } from '../helpers/config';
import { eventually, send, type RawRequest } from '../helpers/http';
import { freePort } from '../helpers/ports';
import {
  eventKeys,
  registration,
  SECRETS,
  SPECS,
  workflowIdOf,
  type CallbackMessage,
  type ProviderSpec,
} from '../helpers/provider-specs';
import { uniqueId } from '../helpers/temporal';
import { API_AUTH, registerViaApi } from '../helpers/transactions';

const root = resolve(__dirname, '..', '..');
const providers = createProviders(testConfig({ ...SECRETS }));

let main: ChildProcess | undefined;
let output = '';
let exited: Promise<number | null>;
let base: string;
let temporalPort: number;
let client: Client;
let connection: Connection | undefined;

interface LogLine {
  msg?: string;
  pid?: number;
  workflowId?: string;
  workflowType?: string;
}
const logLines = (): LogLine[] =>
  output.split('\n').flatMap((l) => {
    if (!l.startsWith('{')) return [];
    try {
      return [JSON.parse(l) as LogLine];
    } catch {
      return [];
    }
  });
const workerPids = () => [
  ...new Set(
    logLines()
      .filter((l) => l.msg === 'worker process running' && l.pid)
      .map((l) => l.pid!),
  ),
];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED'));
  });
}

beforeAll(async () => {
  // The real workflows plus a test-only one whose tasks fail, prebuilt so startup is quick.
  const { code } = await bundleWorkflows(require.resolve('../fixtures/workflows'));
  const dataDir = mkdtempSync(join(tmpdir(), 'countersign-start-'));
  const bundle = join(dataDir, 'test-bundle.js');
  writeFileSync(bundle, code);
  const [port, uiPort] = [await freePort(), await freePort()];
  temporalPort = await freePort();
  base = `http://127.0.0.1:${port}`;
  main = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'src', 'main.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      ...SECRETS,
      HOST: '127.0.0.1',
      PORT: String(port),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      COUNTERSIGN_DATA_DIR: dataDir,
      WORKFLOW_BUNDLE_PATH: bundle,
      WORKER_RESTART_DELAY: '200ms',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  main.stdout!.on('data', (d: Buffer) => void (output += d.toString()));
  main.stderr!.on('data', (d: Buffer) => void (output += d.toString()));
  exited = new Promise((r) => main!.once('exit', (code) => r(code)));
  await eventually(
    async () => {
      if (main!.exitCode !== null) throw new Error(`npm start exited ${main!.exitCode}:\n${output}`);
      expect(output).toContain('Countersign is running');
    },
    120_000,
    200,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${output}`);
  });
  connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
  // The key npm start made in its data folder: states are encrypted in Temporal.
  client = new Client({ connection, dataConverter: createDataConverter({ keys: ensureDevKeys(dataDir).keys }) });
}, 180_000);

afterAll(async () => {
  await connection?.close();
  if (main && main.exitCode === null) main.kill('SIGKILL');
  for (const pid of workerPids()) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

const json = (m: CallbackMessage): RawRequest => ({
  path: m.path,
  headers: { 'content-type': 'application/json', ...m.headers },
  body: JSON.stringify(m.body),
});

interface Delivery {
  spec: ProviderSpec;
  workflowId: string;
  message: CallbackMessage;
}

it('keeps answering while the worker process is killed, restarts it, and loses nothing accepted', async () => {
  // Log lines reach stdout within LOG_BUFFER.flushEveryMs, maybe after the banner.
  const firstPid = await eventually(() => {
    const [pid] = workerPids();
    expect(pid).toBeDefined();
    return Promise.resolve(pid);
  }, 10_000);
  expect(firstPid).not.toBe(main!.pid);
  expect(output).toContain(`its own process (pid ${firstPid}), restarted if it dies`);

  const deliveries: Delivery[] = [];
  for (const spec of SPECS) {
    for (let t = 0; t < 2; t++) {
      const id = uniqueId('isolation');
      await registerViaApi(base, registration(spec, id), API_AUTH);
      const workflowId = workflowIdOf(spec, id);
      for (const message of [spec.progress(id, 1), spec.progress(id, 2), spec.valid(id)])
        deliveries.push({ spec, workflowId, message });
    }
  }
  const stream = [...deliveries, ...deliveries.filter((_, i) => i % 3 === 0)].sort(() => Math.random() - 0.5);
  const answers: Array<{ status: number; d: Delivery }> = [];
  let next = 0;
  const sender = async () => {
    while (next < stream.length) {
      const i = next++;
      if (i === Math.floor(stream.length / 3)) process.kill(firstPid, 'SIGKILL');
      answers.push({ status: (await send(base, json(stream[i].message))).status, d: stream[i] });
    }
  };
  await Promise.all([sender(), sender(), sender(), sender()]);
  expect(answers.filter((a) => a.status !== 200).map((a) => `${a.d.workflowId}: ${a.status}`)).toEqual([]);

  // Back by itself, in a new process.
  const newPid = await eventually(async () => {
    const pids = workerPids().filter((p) => p !== firstPid);
    expect(pids).toHaveLength(1);
    return pids[0];
  }, 60_000);
  expect(alive(firstPid)).toBe(false);
  await eventually(() => Promise.resolve(expect(output).toContain('worker process died; restarting it')), 10_000);

  const expected = new Map<string, Set<string>>();
  for (const { d } of answers) {
    const keys = expected.get(d.workflowId) ?? new Set<string>();
    for (const k of eventKeys(providers, d.spec, d.message)) keys.add(k);
    expected.set(d.workflowId, keys);
  }
  for (const [workflowId, keys] of expected) {
    await eventually(async () => {
      const s = await client.workflow.getHandle(workflowId).query<TransactionState>('state');
      expect(s.events.map((e) => e.key).sort()).toEqual([...keys].sort());
    }, 90_000);
  }
  const metrics = await (
    await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${SECRETS.COUNTERSIGN_API_TOKEN}` } })
  ).text();
  expect(metrics).toMatch(/^countersign_worker_restarts_total 1$/m);
  expect(alive(newPid)).toBe(true);
}, 240_000);

it('shows a workflow whose tasks keep failing in /metrics, as the Temporal server reports it', async () => {
  const workflowId = uniqueId('stuck');
  const handle = await client.workflow.start('failingTaskWorkflow', { taskQueue: 'countersign', workflowId });
  try {
    await eventually(async () => {
      const metrics = await (
        await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${SECRETS.COUNTERSIGN_API_TOKEN}` } })
      ).text();
      expect(metrics).toMatch(
        /^countersign_workflows_with_reported_problems\{workflow_type="failingTaskWorkflow",category="WorkflowTaskFailed"\} 1$/m,
      );
    }, 60_000);
  } finally {
    await handle.terminate('test over');
  }
}, 90_000);

it('stops everything on SIGTERM, the worker process included', async () => {
  const pids = workerPids();
  main!.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(output).toContain('Stopped.');
  for (const pid of pids) expect({ pid, alive: alive(pid) }).toEqual({ pid, alive: false });
  expect(await refused(Number(new URL(base).port))).toBe(true);
  expect(await refused(temporalPort)).toBe(true);
}, 90_000);

it('stops at startup, naming the cause, when the worker process cannot start', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'countersign-start-'));
  const [port, uiPort, tPort] = [await freePort(), await freePort(), await freePort()];
  const broken = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'src', 'main.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      TEMPORAL_PORT: String(tPort),
      TEMPORAL_UI_PORT: String(uiPort),
      COUNTERSIGN_DATA_DIR: dataDir,
      // Never read: the activities module fails first (and bundling would only slow this down).
      WORKFLOW_BUNDLE_PATH: join(dataDir, 'unused-bundle.js'),
      COUNTERSIGN_ACTIVITIES_MODULE: join(root, 'test', 'fixtures', 'user-activities', 'throws.ts'),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  broken.stdout.on('data', (d: Buffer) => void (text += d.toString()));
  broken.stderr.on('data', (d: Buffer) => void (text += d.toString()));
  const code = await new Promise<number | null>((r) => broken.once('exit', (c) => r(c)));
  expect(code).toBe(1);
  expect(text).toContain('CRM_URL is not set');
  expect(text).not.toContain('Countersign is running');
  // Nothing left behind: the dev server it started is stopped too.
  expect(await refused(tPort)).toBe(true);
  expect(await refused(port)).toBe(true);
}, 120_000);
