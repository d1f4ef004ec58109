// A final status from an unverified callback (Evrotrust's callbacks never prove their sender)
// is held until the provider's status API confirms it, on a schedule of its own. A status API
// that fails (a wrong API key answers 401) delays the answer; it never turns a signed document
// into `expired`. Operators find held finals and settle them by hand; a step that fails for
// good is listed and retried the same way. Real dev server, real HTTP, the Evrotrust simulator
// behind a switchable front that can answer 401 as a misconfigured API key would.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Config } from '../../src/config';
import type { TransactionState } from '../../src/common/types';
import { CountersignAttention, SigningStatus } from '../../src/common/search-attributes';
import { postJson } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { eventually, send } from '../helpers/http';
import { startRecordingServer, type RecordingServer } from '../helpers/http-server';
import { registration, SPECS } from '../helpers/provider-specs';
import { SIMULATOR_CREDS, simulatorEnv, startSimulatorSet } from '../helpers/simulator-env';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { readTransaction } from '../helpers/transactions';

const creds = SIMULATOR_CREDS;
const spec = SPECS.find((s) => s.provider === 'evrotrust' && s.kind === 'signing')!;

let env: TestWorkflowEnvironment;
let stack: Stack;
let config: Config;
let front: RecordingServer;
let app: RecordingServer;
/** Whether the status API answers 401, as it would to a wrong EVROTRUST_API_KEY. */
let refusing = false;
/** Whether the application's notification endpoint fails. */
let appDown = false;
let sims: Awaited<ReturnType<typeof startSimulatorSet>>;

beforeAll(async () => {
  sims = await startSimulatorSet();
  front = await startRecordingServer();
  front.handle((req, res) => {
    if (refusing)
      return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Unauthorized"}');
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
    ) as Record<string, string>;
    fetch(`${sims.evrotrust.url}${req.url}`, { method: req.method, headers, body: req.body || undefined })
      .then(async (r) => res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()))
      .catch(() => res.writeHead(502).end());
  });
  app = await startRecordingServer((_req, res) => res.writeHead(appDown ? 500 : 204).end());
  env = await startDevServerEnv();
  config = testConfig({
    ...simulatorEnv(sims, { EVROTRUST_API_URL: front.url }, creds),
    COUNTERSIGN_NOTIFY_URL: `${app.url}/hooks`,
    COUNTERSIGN_NOTIFY_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    LINGER_AFTER_FINAL: '1 minute',
  });
  stack = await startStack(env, config);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
  await sims?.close();
  await front?.close();
  await app?.close();
});

const workflowId = (id: string) => `signing:evrotrust:${id}`;
function state(id: string): Promise<TransactionState> {
  return readTransaction(`${stack.app.url}/transactions/${workflowId(id)}`);
}
async function open(id: string, extra: Record<string, unknown>): Promise<void> {
  sims.evrotrust.createTransaction({ transactionID: id });
  const res = await postJson(`${stack.app.url}/transactions`, registration(spec, id, extra));
  expect(res.status).toBe(201);
}
/** The signer signs; the callback reaches us, the provider's API now says signed. */
async function signAtProvider(id: string): Promise<void> {
  // Evrotrust's status 2: signed (the spec's sample callback is a rejection).
  const cb = { ...spec.valid(id), body: { transactionID: id, status: 2 } };
  await sims.evrotrust.setStatus(id, 2, { callback: false });
  const res = await send(stack.app.url, {
    path: cb.path,
    headers: { 'content-type': 'application/json', ...cb.headers },
    body: JSON.stringify(cb.body),
  });
  expect(res.status).toBe(200);
}
const attention = async (id: string) =>
  (await env.client.workflow.getHandle(workflowId(id)).describe()).typedSearchAttributes.get(CountersignAttention);
const listed = async (reason: string) => {
  const res = await fetch(`${stack.app.url}/transactions?attention=${reason}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { transactions: Array<{ workflowId: string }> }).transactions.map((t) => t.workflowId);
};
const notified = (id: string) => app.requests.filter((r) => r.body.includes(id) && !appDown);

it('confirms a held final on its own schedule once a failing status API recovers: signed, not expired', async () => {
  const id = uniqueId('held-recovers');
  await open(id, { steps: { onSigned: ['notifyApplication'], onExpired: ['notifyApplication'] } });
  refusing = true;
  await signAtProvider(id);
  const held = await eventually(async () => {
    const s = await state(id);
    expect(s.awaitingConfirmation?.checks).toBeGreaterThanOrEqual(1);
    return s;
  });
  expect(held.status).toBe('pending');
  expect(held.awaitingConfirmation?.lastError).toMatch(/401|Unauthorized|auth/i);
  expect(await attention(id)).toEqual(['held-final']);
  expect(await listed('held-final')).toContain(workflowId(id));
  // The API comes back 10 s later; the next check (30 s after the first) finds the signature.
  await new Promise((r) => setTimeout(r, 10_000));
  refusing = false;
  const done = await eventually(async () => {
    const s = await state(id);
    expect(s.status).toBe('signed');
    return s;
  }, 120_000);
  expect(done.finalEstablishedBy).toBe('provider-api');
  expect(done.awaitingConfirmation).toBeUndefined();
  await eventually(async () => expect(await attention(id)).toBeUndefined());
}, 180_000);

it('ends unconfirmed (never expired) when the API fails through the deadline; an operator accepts it', async () => {
  const id = uniqueId('held-unconfirmed');
  const deadline = new Date(Date.now() + 8_000).toISOString();
  await open(id, {
    deadline,
    steps: { onSigned: ['notifyApplication'], onExpired: ['notifyApplication'] },
  });
  refusing = true;
  try {
    await signAtProvider(id);
    const s = await eventually(async () => {
      const st = await state(id);
      expect(st.status).toBe('unconfirmed');
      return st;
    }, 60_000);
    expect(s.finalEstablishedBy).toBe('unverified-callback');
    expect(s.outcomeReason).toMatch(/waited for evrotrust's confirmation/);
    expect(s.steps ?? []).toEqual([]);
    expect(notified(id)).toEqual([]);
    const desc = await env.client.workflow.getHandle(workflowId(id)).describe();
    expect(desc.status.name).toBe('RUNNING');
    expect(desc.typedSearchAttributes.get(SigningStatus)).toBe('unconfirmed');
    expect(await listed('held-final')).toContain(workflowId(id));

    // Who and why are required, and a decision is refused where nothing is held.
    const bad = await postJson(`${stack.app.url}/transactions/${workflowId(id)}/held-final`, { decision: 'accept' });
    expect(bad.status).toBe(400);
    const ok = await postJson(`${stack.app.url}/transactions/${workflowId(id)}/held-final`, {
      decision: 'accept',
      by: 'ops-on-call',
      reason: 'signature seen in the Evrotrust portal',
    });
    expect(ok.status).toBe(200);
    const done = await eventually(async () => {
      const st = await state(id);
      expect(st.status).toBe('signed');
      expect(st.steps).toEqual([expect.objectContaining({ name: 'notifyApplication', status: 'completed' })]);
      return st;
    }, 60_000);
    expect(done.finalEstablishedBy).toBe('operator');
    expect(done.events).toContainEqual(
      expect.objectContaining({
        source: 'operator',
        reason: 'accepted by ops-on-call: signature seen in the Evrotrust portal',
      }),
    );
    const again = await postJson(`${stack.app.url}/transactions/${workflowId(id)}/held-final`, {
      decision: 'reject',
      by: 'ops',
      reason: 'too late',
    });
    expect(again.status).toBe(409);
    expect(again.text).toMatch(/no final status is held/);
  } finally {
    refusing = false;
  }
}, 120_000);

it('lists a step that failed for good and runs it again on request', async () => {
  const id = uniqueId('step-failed');
  await open(id, { steps: { onSigned: [{ name: 'notifyApplication', maximumAttempts: 1 }] } });
  appDown = true;
  try {
    await signAtProvider(id);
    const failed = await eventually(async () => {
      const s = await state(id);
      expect(s.steps).toEqual([expect.objectContaining({ name: 'notifyApplication', status: 'failed' })]);
      return s;
    }, 60_000);
    expect(failed.status).toBe('signed');
    await eventually(async () => expect(await attention(id)).toEqual(['step-failed']));
    expect(await listed('step-failed')).toContain(workflowId(id));
  } finally {
    appDown = false;
  }
  const res = await postJson(`${stack.app.url}/transactions/${workflowId(id)}/retry-steps`, {});
  expect(res.status).toBe(200);
  expect(res.json).toMatchObject({ retrying: ['notifyApplication'] });
  await eventually(async () => {
    const s = await state(id);
    expect(s.steps).toEqual([expect.objectContaining({ name: 'notifyApplication', status: 'completed' })]);
  }, 60_000);
  await eventually(async () => expect(await attention(id)).toBeUndefined());
  expect(notified(id).length).toBeGreaterThanOrEqual(1);
}, 120_000);
