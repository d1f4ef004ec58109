// Confirm before final, in production mode: every provider configured the way production
// allows without a credential (a sender allowlist only), so no callback proves its sender,
// and the provider simulators as the status APIs. A forged final status never reaches the
// state or runs a step; the real one counts once the provider confirms it, whichever came first.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Config } from '../../src/config';
import type { TransactionState } from '../../src/common/types';
import { postJson } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { eventually, send } from '../helpers/http';
import { startRecordingServer, type RecordingServer } from '../helpers/http-server';
import { registration, SPECS, type CallbackMessage, type ProviderSpec } from '../helpers/provider-specs';
import { SIMULATOR_CREDS, simulatorEnv, startSimulatorSet } from '../helpers/simulator-env';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';

const creds = SIMULATOR_CREDS;
const TOKEN = 'api-token-for-forged-finals-test';

let env: TestWorkflowEnvironment;
let stack: Stack;
let app: RecordingServer;
let config: Config;
let sims: Awaited<ReturnType<typeof startSimulatorSet>>;

beforeAll(async () => {
  app = await startRecordingServer((_req, res) => res.writeHead(204).end());
  sims = await startSimulatorSet();
  env = await startDevServerEnv();
  const loopback = '127.0.0.1,::1';
  config = testConfig({
    ...simulatorEnv(sims, {}, creds),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    COUNTERSIGN_API_TOKEN: TOKEN,
    EVROTRUST_ALLOWED_IPS: loopback,
    SIGNHOST_ALLOWED_IPS: loopback,
    SIGNICAT_ALLOWED_IPS: loopback,
    PORTAL_DE_ASSINATURAS_ALLOWED_IPS: loopback,
    COUNTERSIGN_NOTIFY_URL: `${app.url}/hooks`,
    COUNTERSIGN_NOTIFY_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    LINGER_AFTER_FINAL: '1s',
  });
}, 120_000);

beforeAll(async () => {
  stack = await startStack(env, config);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
  await sims?.close();
  await app?.close();
});

const auth = { authorization: `Bearer ${TOKEN}` };
const signing = SPECS.filter((s) => s.kind === 'signing');

/** The transaction at the provider (its status API knows it, still open) and registered here. */
async function open(spec: ProviderSpec): Promise<string> {
  const id = uniqueId(`forged-${spec.provider}`);
  if (spec.provider === 'evrotrust') sims.evrotrust.createTransaction({ transactionID: id });
  if (spec.provider === 'signhost') sims.signhost.createTransaction({ Id: id });
  if (spec.provider === 'signicat') sims.signicat.createProcess({ processId: id, dossierId: `dossier-${id}` });
  if (spec.provider === 'portal-de-assinaturas') sims.portal.createDocument({ documentId: id });
  const res = await postJson(
    `${stack.app.url}/transactions`,
    registration(spec, id, { steps: { onSigned: ['notifyApplication'], onRejected: ['notifyApplication'] } }),
    auth,
  );
  expect(res.status).toBe(201);
  return id;
}

/** What the provider's status API answers from now on: the final status `m` reports. */
async function finishAtProvider(spec: ProviderSpec, id: string, m: CallbackMessage): Promise<void> {
  const value = m.body[spec.statusField];
  if (spec.provider === 'evrotrust') await sims.evrotrust.setStatus(id, value as number, { callback: false });
  if (spec.provider === 'signhost') await sims.signhost.setStatus(id, value as number, { postback: false });
  if (spec.provider === 'signicat') await sims.signicat.setStatus(id, value as string, { callback: false });
  if (spec.provider === 'portal-de-assinaturas') await sims.portal.act(id, value as string, {}, { callback: false });
}

async function state(spec: ProviderSpec, id: string): Promise<TransactionState> {
  const res = await fetch(`${stack.app.url}/transactions/${spec.kind}:${spec.provider}:${id}`, { headers: auth });
  expect(res.status).toBe(200);
  return (await res.json()) as TransactionState;
}

const notificationsFor = (id: string) => app.requests.filter((r) => r.body.includes(id));
/** Every transaction a forgery was sent about, checked once more at the end. */
const forged: Array<{ spec: ProviderSpec; id: string }> = [];

describe.each(signing)('$label, no credential configured (allowlist only)', (spec) => {
  it('holds a forged final status: answered as usual, recorded as unconfirmed, never applied, no step', async () => {
    const id = await open(spec);
    forged.push({ spec, id });
    const forgery = spec.valid(id);
    expect(
      (
        await send(stack.app.url, {
          path: forgery.path,
          headers: { 'content-type': 'application/json', ...forgery.headers },
          body: JSON.stringify(forgery.body),
        })
      ).status,
    ).toBe(200);
    // The engine asked the provider at once; the provider says the transaction is still open.
    const held = await eventually(async () => {
      const s = await state(spec, id);
      expect(s.lastFollowUp).toBeDefined();
      return s;
    });
    expect(held.status).not.toBe(spec.finalStatus);
    expect(held.awaitingConfirmation).toMatchObject({ status: spec.finalStatus });
    expect(held.events).toContainEqual(
      expect.objectContaining({ status: spec.finalStatus, applied: false, unverified: true, confirmation: 'pending' }),
    );
    expect(held.steps ?? []).toEqual([]);
    expect(notificationsFor(id)).toEqual([]);
  });

  it('counts the real final status once the provider confirms it, and says so', async () => {
    const id = await open(spec);
    const real = spec.valid(id);
    await finishAtProvider(spec, id, real);
    expect(
      (
        await send(stack.app.url, {
          path: real.path,
          headers: { 'content-type': 'application/json', ...real.headers },
          body: JSON.stringify(real.body),
        })
      ).status,
    ).toBe(200);
    const done = await eventually(async () => {
      const s = await state(spec, id);
      expect(s.status).toBe(spec.finalStatus);
      expect(s.steps).toEqual([expect.objectContaining({ name: 'notifyApplication', status: 'completed' })]);
      return s;
    });
    expect(done.finalEstablishedBy).toBe('provider-api');
    expect(done.awaitingConfirmation).toBeUndefined();
    expect(done.events).toContainEqual(
      expect.objectContaining({ status: spec.finalStatus, unverified: true, confirmation: 'confirmed' }),
    );
    expect(notificationsFor(id)).toHaveLength(1);
  });
});

it('let no forged final status into any state or any step, across providers', async () => {
  expect(forged).toHaveLength(signing.length);
  for (const { spec, id } of forged) {
    const s = await state(spec, id);
    expect({ id, status: s.status, finalEstablishedBy: s.finalEstablishedBy }).toEqual({
      id,
      status: expect.not.stringMatching(/^(signed|rejected|expired|cancelled|failed)$/),
      finalEstablishedBy: undefined,
    });
    expect(notificationsFor(id)).toEqual([]);
  }
});
