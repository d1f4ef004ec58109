// A secret rotated while callbacks flow (docs/secret-rotation.md), against a real dev server and
// real HTTP: the receivers restart from "old only" to "new, previous old" to "new only" while a
// stream of Signhost, Signicat and Portal callbacks keeps arriving, and the provider switches
// from the old secret to the new one during the overlap. Not one callback is refused while
// either secret is configured; once the previous one is dropped, callbacks carrying it are.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Webhook } from 'standardwebhooks';
import type { RunningCountersignWorker } from '../../src/worker';
import { postJson, startApp, type RunningApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { eventually, exists, send } from '../helpers/http';
import { startRecordingServer, type RecordingServer } from '../helpers/http-server';
import { signhostPostback } from '../helpers/signhost';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { startTestWorker } from '../helpers/worker';

const notifySecret = (label: string) => `whsec_${Buffer.from(`notify-${label}-secret-32-bytes!!`).toString('base64')}`;
const SECRETS = {
  old: {
    SIGNHOST_SHARED_SECRET: 'shs-old-4d1e7a90c2',
    SIGNHOST_POSTBACK_AUTHORIZATION: 'shp-old-8b3f6c21e5',
    SIGNICAT_CALLBACK_AUTHORIZATION: 'sca-old-0f9e2d7b41',
    PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: 'X-Callback-Token: pda-old-5a6c3e8d12',
    COUNTERSIGN_NOTIFY_SECRET: notifySecret('old'),
  },
  new: {
    SIGNHOST_SHARED_SECRET: 'shs-new-71c9b3e0aa',
    SIGNHOST_POSTBACK_AUTHORIZATION: 'shp-new-2e5d8f04b9',
    SIGNICAT_CALLBACK_AUTHORIZATION: 'sca-new-c6a1f9d372',
    // The new header may have another name: both are checked during the overlap.
    PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: 'X-Portal-Key: pda-new-9b0e4c7f26',
    COUNTERSIGN_NOTIFY_SECRET: notifySecret('new'),
  },
};
type Side = keyof typeof SECRETS;
const previous = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [`${k}_PREVIOUS`, v]));

const PROVIDERS = ['signhost', 'signicat', 'portal-de-assinaturas'] as const;
type ProviderName = (typeof PROVIDERS)[number];

let env: TestWorkflowEnvironment;
let worker: RunningCountersignWorker;
let application: RecordingServer;
let queue: string;
const apps: RunningApp[] = [];

/** The receivers of one configuration, on the shared task queue. */
async function receivers(vars: Record<string, string>): Promise<RunningApp> {
  const app = await startApp(testConfig(vars, queue), env.client);
  apps.push(app);
  return app;
}

beforeAll(async () => {
  application = await startRecordingServer((_req, res) => res.writeHead(204).end());
  env = await startDevServerEnv();
  const overlap = testConfig({
    ...SECRETS.new,
    ...previous(SECRETS.old),
    COUNTERSIGN_NOTIFY_URL: `${application.url}/hooks`,
  });
  queue = overlap.temporal.taskQueue;
  worker = await startTestWorker(env, overlap);
}, 120_000);

afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await worker?.stop();
  await env?.teardown();
  await application?.close();
});

/** One callback about a new transaction, carrying `side`'s credential (each proves its sender, so it starts the workflow). */
function callback(
  provider: ProviderName,
  id: string,
  side: Side,
): { path: string; headers: Record<string, string>; body: Record<string, unknown> } {
  const s = SECRETS[side];
  if (provider === 'signhost')
    return {
      path: '/callbacks/signhost',
      headers: { authorization: s.SIGNHOST_POSTBACK_AUTHORIZATION },
      body: signhostPostback({ id, status: 20, secret: s.SIGNHOST_SHARED_SECRET }),
    };
  if (provider === 'signicat')
    return {
      path: '/callbacks/signicat',
      headers: { authorization: s.SIGNICAT_CALLBACK_AUTHORIZATION },
      body: { dossierId: `dossier-${id}`, processId: id, status: 'processing' },
    };
  const [name, value] = s.PORTAL_DE_ASSINATURAS_CALLBACK_HEADER.split(': ');
  return {
    path: '/callbacks/portal-de-assinaturas',
    headers: { [name]: value },
    body: { documentId: id, action: 'STEP-1', message: '', apiDownload: '' },
  };
}

const workflowId = (provider: ProviderName, id: string) => `signing:${provider}:${id}`;

async function post(app: RunningApp, provider: ProviderName, id: string, side: Side) {
  const c = callback(provider, id, side);
  return send(app.url, {
    path: c.path,
    headers: { 'content-type': 'application/json', ...c.headers },
    body: JSON.stringify(c.body),
  });
}

async function counter(app: RunningApp, metric: 'callbacksRefused' | 'callbacksPreviousSecret') {
  return (await app.metrics[metric].get()).values.reduce((n, v) => n + v.value, 0);
}

interface Sent {
  provider: ProviderName;
  id: string;
  side: Side;
  app: RunningApp;
  status: number;
}

/**
 * Callbacks one after another, round-robin over the providers, to whichever receivers are
 * live and with whichever secret the providers use at that moment, until stopped. `reached(n)`
 * resolves once n callbacks in all have been answered.
 */
function startFlow(state: { app: RunningApp; side: Side }) {
  const sent: Sent[] = [];
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  let stopped = false;
  const done = (async () => {
    for (let i = 0; !stopped; i++) {
      const provider = PROVIDERS[i % PROVIDERS.length];
      const { app, side } = state;
      const id = uniqueId(`rot-${side}`);
      const { status } = await post(app, provider, id, side);
      sent.push({ provider, id, side, app, status });
      for (const w of waiting.filter((w) => sent.length >= w.n)) w.resolve();
    }
  })();
  return {
    sent,
    reached: (more: number) =>
      Promise.race([done, new Promise<void>((resolve) => waiting.push({ n: sent.length + more, resolve }))]),
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

it('refuses no callback carrying either secret during the overlap, and the old one once it is dropped', async () => {
  const before = await receivers(SECRETS.old);
  const state = { app: before, side: 'old' as Side };
  const flow = startFlow(state);
  await flow.reached(6);

  // Rolling restart into the overlap: the new receivers take the traffic, the old ones stop.
  const overlap = await receivers({ ...SECRETS.new, ...previous(SECRETS.old) });
  state.app = overlap;
  // Drained as a load balancer drains: the one in flight finishes, the next goes to the new ones.
  await flow.reached(2);
  await before.close();
  await flow.reached(6);
  // The provider side is reconfigured with the new secret while callbacks keep coming.
  state.side = 'new';
  await flow.reached(6);

  // The previous secret dropped: another rolling restart.
  const after = await receivers(SECRETS.new);
  state.app = after;
  await flow.reached(2);
  await overlap.close();
  await flow.reached(6);
  await flow.stop();

  const byApp = (app: RunningApp) => flow.sent.filter((s) => s.app === app);
  expect(flow.sent.map((s) => s.status)).toEqual(flow.sent.map(() => 200));
  for (const app of [before, overlap, after]) expect(await counter(app, 'callbacksRefused')).toBe(0);
  // Both secrets reached the overlap's receivers; only the old one counts as previous.
  const overlapOld = byApp(overlap).filter((s) => s.side === 'old');
  expect(overlapOld.length).toBeGreaterThan(0);
  expect(byApp(overlap).some((s) => s.side === 'new')).toBe(true);
  expect(await counter(overlap, 'callbacksPreviousSecret')).toBe(overlapOld.length);
  expect(await counter(after, 'callbacksPreviousSecret')).toBe(0);
  // Every callback reached its transaction.
  for (const s of flow.sent) expect(await exists(env.client, workflowId(s.provider, s.id))).toBe(true);

  // After the rotation the old secret proves nothing: each provider's callback is refused.
  for (const provider of PROVIDERS) {
    const id = uniqueId('rot-stale');
    const res = await post(after, provider, id, 'old');
    // Signhost is answered 200 whatever was wrong (the sender learns nothing).
    expect(res.status).toBe(provider === 'signhost' ? 200 : 401);
    expect(await exists(env.client, workflowId(provider, id))).toBe(false);
  }
  const refused = (await after.metrics.callbacksRefused.get()).values;
  expect(refused.map((v) => [v.labels.provider, v.labels.reason, v.value]).sort()).toEqual(
    PROVIDERS.map((p) => [p, 'unauthorized', 1]).sort(),
  );
  const fresh = uniqueId('rot-fresh');
  expect((await post(after, 'signicat', fresh, 'new')).status).toBe(200);
});

it('signs notifications with both secrets during the overlap, so the application verifies with either', async () => {
  const app = await receivers({ ...SECRETS.new, ...previous(SECRETS.old) });
  const id = uniqueId('rot-notify');
  const registered = await postJson(`${app.url}/transactions`, {
    provider: 'signicat',
    externalId: id,
    dossierId: `dossier-${id}`,
    steps: { onSigned: ['notifyApplication'] },
  });
  expect(registered.status).toBe(201);
  const c = callback('signicat', id, 'new');
  await send(app.url, {
    path: c.path,
    headers: { 'content-type': 'application/json', ...c.headers },
    body: JSON.stringify({ ...c.body, status: 'accepted' }),
  });
  const sent = await eventually(async () => {
    const r = application.requests.find((req) => req.body.includes(id));
    if (!r) throw new Error('no notification yet');
    return r;
  });
  const headers = {
    'webhook-id': String(sent.headers['webhook-id']),
    'webhook-timestamp': String(sent.headers['webhook-timestamp']),
    'webhook-signature': String(sent.headers['webhook-signature']),
  };
  expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
  for (const side of ['old', 'new'] as const)
    expect(new Webhook(SECRETS[side].COUNTERSIGN_NOTIFY_SECRET).verify(sent.body, headers)).toMatchObject({
      externalId: id,
      status: 'signed',
    });
  expect(() => new Webhook(notifySecret('other')).verify(sent.body, headers)).toThrow();
});
