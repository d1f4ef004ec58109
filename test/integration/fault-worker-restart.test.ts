// The worker gone: signals are durable in Temporal whether or not a worker runs, so a
// callback answered 2xx is never lost. Callbacks accepted with no worker at all, and while
// the worker is killed (SIGKILL, mid-work) and replaced, all show in their transactions.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createProviders } from '../../src/providers';
import type { TransactionState } from '../../src/common/types';
import { startApp, type RunningApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { eventually, send, type RawRequest } from '../helpers/http';
import {
  eventKeys,
  registration,
  SECRETS,
  SPECS,
  workflowIdOf,
  type CallbackMessage,
  type ProviderSpec,
} from '../helpers/provider-specs';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { API_AUTH, registerViaApi } from '../helpers/transactions';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const config = testConfig({ ...SECRETS });
const providers = createProviders(config);

let env: TestWorkflowEnvironment;
let app: RunningApp;
let workerEnv: Record<string, string>;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  env = await startDevServerEnv();
  app = await startApp(config, env.client);
  workerEnv = { ...SECRETS, TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: config.temporal.taskQueue };
}, 120_000);

afterAll(async () => {
  for (const w of workers) await w.stop('SIGKILL');
  await app?.close();
  await env?.teardown();
});

async function startWorker(): Promise<WorkerProcess> {
  const w = await startWorkerProcess(workerEnv);
  workers.push(w);
  return w;
}

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

/** Every key each workflow must hold: the union of what its accepted callbacks carried. */
function expectedKeys(deliveries: Delivery[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const d of deliveries) {
    const set = out.get(d.workflowId) ?? new Set<string>();
    for (const k of eventKeys(providers, d.spec, d.message)) set.add(k);
    out.set(d.workflowId, set);
  }
  return out;
}

async function expectAllReflected(expected: Map<string, Set<string>>) {
  for (const [workflowId, keys] of expected) {
    const state = await eventually(async () => {
      const s = await env.client.workflow.getHandle(workflowId).query<TransactionState>('state');
      expect(s.events.map((e) => e.key).sort()).toEqual([...keys].sort());
      return s;
    }, 90_000);
    expect(new Set(state.events.map((e) => e.key)).size).toBe(state.events.length);
  }
}

/** A transaction per provider, registered or (when the provider authenticates) not, and its callbacks. */
async function transactions(prefix: string): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  for (const spec of SPECS) {
    const registered = uniqueId(prefix);
    await registerViaApi(app.url, registration(spec, registered), API_AUTH);
    const ids = spec.authenticated ? [registered, uniqueId(`${prefix}-unregistered`)] : [registered];
    for (const id of ids) {
      const workflowId = workflowIdOf(spec, id);
      for (const message of [spec.progress(id, 1), spec.progress(id, 2), spec.valid(id)])
        deliveries.push({ spec, workflowId, message });
    }
  }
  return deliveries;
}

describe('no worker running', () => {
  it('accepts every callback, and a worker started later applies each one', async () => {
    const deliveries = await transactions('idle');
    for (const d of deliveries) {
      expect({ to: d.workflowId, status: (await send(app.url, json(d.message))).status }).toEqual({
        to: d.workflowId,
        status: 200,
      });
    }
    await startWorker();
    await expectAllReflected(expectedKeys(deliveries));
  });
});

describe('the worker killed mid-work', () => {
  it('loses nothing: every callback accepted before, during and after the kill shows in its transaction', async () => {
    const first = await startWorker();
    const deliveries = [...(await transactions('kill')), ...(await transactions('kill'))];
    // Duplicates and any order, as providers retry.
    const stream = [...deliveries, ...deliveries.filter((_, i) => i % 3 === 0)].sort(() => Math.random() - 0.5);
    const answers: number[] = [];
    let replacement: Promise<WorkerProcess> | undefined;
    let next = 0;
    const sender = async () => {
      while (next < stream.length) {
        const i = next++;
        if (i === Math.floor(stream.length / 3)) await first.stop('SIGKILL');
        if (i === Math.floor((2 * stream.length) / 3)) replacement = startWorker();
        answers.push((await send(app.url, json(stream[i].message))).status);
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    await replacement;
    expect(answers.filter((s) => s !== 200)).toEqual([]);
    expect(answers).toHaveLength(stream.length);
    await expectAllReflected(expectedKeys(stream));
  });
});
