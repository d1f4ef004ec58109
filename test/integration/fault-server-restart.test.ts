// The embedded dev server restarted on its SQLite file, as `npm start` after Ctrl-C does:
// open transactions keep their state, unregistered ones still merge, and timers set before
// the restart (a deadline, a follow-up after silence) fire after it.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProviders } from '../../src/providers';
import { evrotrustEvent } from '../../src/providers/evrotrust';
import type { Provider } from '../../src/providers/provider';
import { startDevServer, type DevServer, type DevServerOptions } from '../../src/app/dev-server';
import type { FollowUpRequest, TransactionState } from '../../src/common/types';
import { startCountersignWorker, type RunningCountersignWorker } from '../../src/worker';
import { startApp, type RunningApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { eventually, send, snapshot } from '../helpers/http';
import { freePort } from '../helpers/ports';
import { registration, SECRETS, SPECS, workflowIdOf } from '../helpers/provider-specs';
import { uniqueId, workflowBundle } from '../helpers/temporal';
import { API_AUTH, registerViaApi } from '../helpers/transactions';

const config = testConfig({ ...SECRETS });
let dataDir: string;
let serverOptions: DevServerOptions;

/** Evrotrust's status API, scripted: it reports these documents signed, others unchanged; calls are remembered. */
const polls: Array<{ at: number; req: FollowUpRequest }> = [];
const signedAtProvider = new Set<string>();
const providers = createProviders(config);
const evrotrust: Provider = {
  ...providers.evrotrust,
  async followUp(req) {
    polls.push({ at: Date.now(), req });
    if (!signedAtProvider.has(req.workflowId)) return { events: [], outcome: 'polled: status 1' };
    return { events: [evrotrustEvent(2, 'poll', new Date().toISOString())], outcome: 'polled: status 2' };
  },
};

interface Running {
  server: DevServer;
  connection: Connection;
  client: Client;
  native: NativeConnection;
  worker: RunningCountersignWorker;
  app: RunningApp;
}
let current: Running | undefined;

async function up(): Promise<Running> {
  const bundle = await workflowBundle();
  const server = await startDevServer(serverOptions);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: server.address });
  const worker = await startCountersignWorker({
    connection: native,
    config,
    providers: { ...providers, evrotrust },
    workflowBundle: bundle,
  });
  const app = await startApp(config, client);
  current = { server, connection, client, native, worker, app };
  return current;
}

/** Stops everything in the order `npm start` does on Ctrl-C: HTTP, worker, Temporal. */
async function down(r: Running): Promise<void> {
  await r.app.close();
  await r.worker.stop();
  await r.native.close();
  await r.connection.close();
  await r.server.stop();
  current = undefined;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'countersign-restart-'));
  serverOptions = { port: await freePort(), uiPort: await freePort(), dataDir, namespace: 'default' };
}, 120_000);

afterAll(async () => {
  if (current) await down(current);
  rmSync(dataDir, { recursive: true, force: true });
});

const spec = (provider: string, kind = 'signing') => SPECS.find((s) => s.provider === provider && s.kind === kind)!;
const json = (m: { path: string; headers: Record<string, string>; body: unknown }) => ({
  path: m.path,
  headers: { 'content-type': 'application/json', ...m.headers },
  body: JSON.stringify(m.body),
});

const state = async (r: Running, workflowId: string) =>
  await r.client.workflow.getHandle(workflowId).query<TransactionState>('state');

it('keeps open transactions and their timers across a restart of the dev server on its SQLite file', async () => {
  let r = await up();
  const evro = spec('evrotrust');
  const signhost = spec('signhost');
  const mail = spec('portal-de-assinaturas', 'registered-mail');
  const ids = {
    deadline: uniqueId('deadline'),
    poll: uniqueId('poll'),
    unregistered: uniqueId('unregistered'),
    mail: uniqueId('mail'),
  };
  const wf = {
    deadline: workflowIdOf(evro, ids.deadline),
    poll: workflowIdOf(evro, ids.poll),
    unregistered: workflowIdOf(signhost, ids.unregistered),
    mail: workflowIdOf(mail, ids.mail),
  };
  signedAtProvider.add(wf.poll);

  // A deadline and a first follow-up far enough ahead that they can only fire after the restart.
  const deadline = new Date(Date.now() + 25_000).toISOString();
  await registerViaApi(
    r.app.url,
    registration(evro, ids.deadline, { deadline, followUp: { firstAfter: '1h' } }),
    API_AUTH,
  );
  await registerViaApi(r.app.url, registration(evro, ids.poll, { followUp: { firstAfter: '20s' } }), API_AUTH);
  expect((await send(r.app.url, json(evro.progress(ids.deadline, 1)))).status).toBe(200);
  expect((await send(r.app.url, json(signhost.progress(ids.unregistered, 1)))).status).toBe(200);
  await registerViaApi(r.app.url, registration(mail, ids.mail), API_AUTH);
  expect(
    (
      await send(
        r.app.url,
        json({ ...mail.progress(ids.mail, 1), body: { ...mail.progress(ids.mail, 1).body, action: 'DELIVERED' } }),
      )
    ).status,
  ).toBe(200);

  const before = {
    deadline: (await snapshot(r.client, wf.deadline)).state,
    poll: (await snapshot(r.client, wf.poll)).state,
    unregistered: (await snapshot(r.client, wf.unregistered)).state,
    mail: (await snapshot(r.client, wf.mail)).state,
  };
  expect(before.deadline).toMatchObject({ status: 'pending', deadline });
  expect(before.deadline.events.map((e) => e.key)).toEqual(['status:1']);
  expect(before.poll.nextFollowUpAt).toBeDefined();
  expect(before.poll.lastFollowUp).toBeUndefined();
  expect(before.unregistered.status).toBe('unregistered');
  expect(before.mail.status).toBe('delivered');
  expect(polls).toHaveLength(0);

  await down(r);
  const restartedAt = Date.now();
  r = await up();

  // Everything as it was.
  for (const key of Object.keys(wf) as Array<keyof typeof wf>) {
    const after = await eventually(() => state(r, wf[key]), 60_000);
    expect({ key, ...pick(after) }).toEqual({ key, ...pick(before[key]) });
  }

  // An unregistered transaction still merges.
  await registerViaApi(r.app.url, registration(signhost, ids.unregistered), API_AUTH);
  expect(await state(r, wf.unregistered)).toMatchObject({ registered: true, status: 'in_progress' });

  // The timers set before the restart fire after it.
  const polled = await eventually(async () => {
    const s = await state(r, wf.poll);
    expect(s.status).toBe('signed');
    return s;
  }, 90_000);
  expect(polled.events.map((e) => [e.key, e.source])).toEqual([['status:2', 'poll']]);
  expect(polls.map((p) => p.req.workflowId)).toContain(wf.poll);
  expect(polls.every((p) => p.at >= restartedAt)).toBe(true);

  const expired = await eventually(async () => {
    const s = await state(r, wf.deadline);
    expect(s.status).toBe('expired');
    return s;
  }, 90_000);
  expect(expired.outcomeReason).toContain(deadline);
  expect(expired.events.map((e) => e.key)).toEqual(['status:1', 'engine:deadline']);
  // The deadline asked the provider one last time (it had nothing new) before expiring.
  expect(expired.lastFollowUp?.outcome).toBe('polled: status 1');
  expect(await state(r, wf.mail)).toMatchObject({ status: 'delivered' });
}, 240_000);

function pick(s: TransactionState) {
  return { status: s.status, registered: s.registered, deadline: s.deadline, events: s.events, createdAt: s.createdAt };
}
