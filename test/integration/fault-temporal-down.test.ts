// Temporal unreachable: every receiver answers 503 (Signhost included: it is the one case
// where Signhost gets a 5xx, so it queues and retries), /readyz fails, /healthz stays up, and
// nothing of a refused callback is in any transaction. Once Temporal is back, the providers'
// retries are applied, each fact once. Real dev server on its own SQLite file, stopped and
// started again under the running app and worker.
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { ServiceError } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer, type DevServer, type DevServerOptions } from '../../src/app/dev-server';
import type { TransactionState } from '../../src/common/types';
import { startCountersignWorker, type RunningCountersignWorker } from '../../src/worker';
import { startApp, type RunningApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { eventually, exists, send, snapshot, type RawRequest } from '../helpers/http';
import { freePort } from '../helpers/ports';
import { registration, SECRETS, SPECS, workflowIdOf, type CallbackMessage } from '../helpers/provider-specs';
import { uniqueId, workflowBundle } from '../helpers/temporal';
import { API_AUTH, registerViaApi } from '../helpers/transactions';

const config = testConfig({ ...SECRETS });
// Short, so the outage test is quick; long enough for a loaded CI machine when Temporal is up.
const DELIVERY_TIMEOUT_MS = 3_000;

let dataDir: string;
let serverOptions: DevServerOptions;
let server: DevServer;
let client: Client;
let native: NativeConnection;
let clientConnection: NativeConnection;
let worker: RunningCountersignWorker;
let app: RunningApp;
/** Same app, but its client loses the connection on the first signal of chosen workflows. */
let flakyApp: RunningApp;
const cutFirstSignal = new Map<string, number>();

beforeAll(async () => {
  const bundle = await workflowBundle(); // also installs the quiet runtime before any connection
  dataDir = mkdtempSync(join(tmpdir(), 'countersign-down-'));
  serverOptions = { port: await freePort(), uiPort: await freePort(), dataDir, namespace: 'default' };
  server = await startDevServer(serverOptions);
  // Native connections for the worker and the receivers' client, as startCountersign has them.
  native = await NativeConnection.connect({ address: server.address });
  clientConnection = await NativeConnection.connect({ address: server.address });
  client = new Client({ connection: clientConnection });
  worker = await startCountersignWorker({ connection: native, config, workflowBundle: bundle });
  app = await startApp(config, client, undefined, { deliveryTimeoutMs: DELIVERY_TIMEOUT_MS });

  const countSignal = (workflowId: string) => {
    const seen = cutFirstSignal.get(workflowId);
    if (seen === undefined) return;
    cutFirstSignal.set(workflowId, seen + 1);
    if (seen + 1 === 1) throw new ServiceError('injected fault: connection lost while signalling');
  };
  const cut: WorkflowClientInterceptor = {
    async signal(input, next) {
      countSignal(input.workflowExecution.workflowId);
      return next(input);
    },
    async signalWithStart(input, next) {
      countSignal(input.options.workflowId);
      return next(input);
    },
  };
  flakyApp = await startApp(
    config,
    new Client({ connection: clientConnection, interceptors: { workflow: [cut] } }),
    undefined,
    { deliveryTimeoutMs: DELIVERY_TIMEOUT_MS },
  );
}, 120_000);

afterAll(async () => {
  await app?.close();
  await flakyApp?.close();
  await worker?.stop();
  await native?.close();
  await clientConnection?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const json = (m: CallbackMessage): RawRequest => ({
  path: m.path,
  headers: { 'content-type': 'application/json', ...m.headers },
  body: JSON.stringify(m.body),
});

const keys = (s: TransactionState) => s.events.map((e) => e.key);
const unavailable = async (a: RunningApp) =>
  (await a.metrics.callbacksRefused.get()).values
    .filter((v) => v.labels.reason === 'unavailable')
    .reduce((n, v) => n + v.value, 0);

describe('Temporal unreachable', () => {
  it('answers 503 to every provider, fails /readyz, changes nothing, and applies the retries once Temporal is back', async () => {
    const ids = new Map<string, { registered: string; fresh: string }>();
    const before = new Map<string, Awaited<ReturnType<typeof snapshot>>>();
    for (const spec of SPECS) {
      const pair = { registered: uniqueId('down'), fresh: uniqueId('down-fresh') };
      ids.set(spec.label, pair);
      await registerViaApi(app.url, registration(spec, pair.registered), API_AUTH);
      expect((await send(app.url, json(spec.progress(pair.registered, 1)))).status).toBe(200);
      before.set(spec.label, await snapshot(client, workflowIdOf(spec, pair.registered)));
    }

    await server.stop();

    expect((await fetch(`${app.url}/readyz`)).status).toBe(503);
    const refusedBefore = await unavailable(app);
    const attempts = SPECS.flatMap((spec) => {
      const { registered, fresh } = ids.get(spec.label)!;
      return (spec.authenticated ? [registered, fresh] : [registered]).map((id) => ({ spec, id }));
    });
    const answers = await Promise.all(
      attempts.map(async ({ spec, id }) => ({
        provider: spec.label,
        status: (await send(app.url, json(spec.valid(id)))).status,
      })),
    );
    expect(answers).toEqual(attempts.map(({ spec }) => ({ provider: spec.label, status: 503 })));
    expect(await unavailable(app)).toBe(refusedBefore + attempts.length);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);

    server = await startDevServer(serverOptions);
    await eventually(async () => expect((await fetch(`${app.url}/readyz`)).status).toBe(200), 60_000);

    // Nothing of the refused callbacks reached any transaction, and no transaction was created.
    for (const spec of SPECS) {
      const { registered, fresh } = ids.get(spec.label)!;
      expect(await snapshot(client, workflowIdOf(spec, registered), 60_000)).toEqual(before.get(spec.label));
      expect(await exists(client, workflowIdOf(spec, fresh))).toBe(false);
    }

    // The providers retry: applied now, each fact once.
    for (const spec of SPECS) {
      const { registered, fresh } = ids.get(spec.label)!;
      for (const id of spec.authenticated ? [registered, fresh] : [registered]) {
        expect((await send(app.url, json(spec.valid(id)))).status).toBe(200);
      }
      const { state } = await snapshot(client, workflowIdOf(spec, registered));
      expect(state.status).toBe(spec.finalStatus);
      expect(new Set(keys(state)).size).toBe(keys(state).length);
      expect(keys(state)).toEqual(expect.arrayContaining(keys(before.get(spec.label)!.state)));
      if (spec.authenticated)
        expect((await snapshot(client, workflowIdOf(spec, fresh))).state.status).toBe('unregistered');
    }
  });
});

describe('Temporal lost in the middle of a callback', () => {
  it('answers 503 when the postback’s one signal was not accepted: nothing of it is recorded, and the retry records it whole', async () => {
    const spec = SPECS.find((s) => s.provider === 'signhost')!;
    const id = uniqueId('cut');
    await registerViaApi(app.url, registration(spec, id), API_AUTH);
    const workflowId = workflowIdOf(spec, id);
    const postback = json(spec.valid(id));
    cutFirstSignal.set(workflowId, 0);

    expect((await send(flakyApp.url, postback)).status).toBe(503);
    // A postback is one signal carrying all its facts: none of them got through.
    const untouched = (await snapshot(client, workflowId)).state;
    expect(untouched.status).toBe('pending');
    expect(keys(untouched)).toHaveLength(0);

    // Signhost retries the whole postback.
    expect((await send(flakyApp.url, postback)).status).toBe(200);
    const { state } = await snapshot(client, workflowId);
    expect(state.status).toBe('signed');
    expect(new Set(keys(state)).size).toBe(keys(state).length);
    expect(keys(state)).toContain('status:30');
  });
});
