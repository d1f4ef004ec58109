// Signhost end to end: real dev server, real worker, real HTTP on loopback. Every refusal
// answers 200 (the sender learns nothing), so each bad-input test also checks which refusal
// the pipeline counted and that no workflow changed.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Refusal } from '../../../src/providers/provider';
import { signhostChecksum } from '../../../src/providers/signhost';
import { SigningStatus } from '../../../src/common/search-attributes';
import type { TransactionState } from '../../../src/common/types';
import { postJson, startApp, type RunningApp } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
import { JANE_ACTIVITIES, JOHN_ACTIVITIES, signhostPostback } from '../../helpers/signhost';
import { startStack, type Stack } from '../../helpers/stack';
import { startDevServerEnv } from '../../helpers/temporal';
import { postRegistration, registerViaApi, readTransaction } from '../../helpers/transactions';

const SECRET = 'the-shared-secret-shown-once';
const AUTHORIZATION = 'postback-header-value';

let env: TestWorkflowEnvironment;
let stack: Stack;
/** Same worker, receivers configured differently: security header; no secret; allowlist. */
let guarded: RunningApp;
let open: RunningApp;
let fenced: RunningApp;
const config = testConfig({ SIGNHOST_SHARED_SECRET: SECRET });

beforeAll(async () => {
  env = await startDevServerEnv();
  stack = await startStack(env, config);
  const queue = config.temporal.taskQueue;
  guarded = await startApp(
    testConfig({ SIGNHOST_SHARED_SECRET: SECRET, SIGNHOST_POSTBACK_AUTHORIZATION: AUTHORIZATION }, queue),
    env.client,
  );
  open = await startApp(testConfig({}, queue), env.client);
  fenced = await startApp(
    testConfig({ SIGNHOST_SHARED_SECRET: SECRET, SIGNHOST_ALLOWED_IPS: '192.0.2.0/24' }, queue),
    env.client,
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([guarded?.close(), open?.close(), fenced?.close()]);
  await stack?.stop();
  await env?.teardown();
});

const workflowId = (id: string) => `signing:signhost:${id}`;

const transaction = (id: string) => ({ provider: 'signhost', externalId: id, reference: 'contract-123' });

function state(id: string): Promise<TransactionState> {
  return readTransaction(`${stack.app.url}/transactions/${workflowId(id)}`);
}

async function expectNoWorkflow(id: string) {
  await expect(env.client.workflow.getHandle(workflowId(id)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
}

async function searchStatus(id: string) {
  return (await env.client.workflow.getHandle(workflowId(id)).describe()).typedSearchAttributes.get(SigningStatus);
}

async function postback(body: unknown, opts: { app?: RunningApp; headers?: Record<string, string> } = {}) {
  return postJson(`${(opts.app ?? stack.app).url}/callbacks/signhost`, body, opts.headers);
}

async function refused(app: RunningApp, reason: Refusal): Promise<number> {
  const metric = await app.metrics.callbacksRefused.get();
  return metric.values.find((v) => v.labels.provider === 'signhost' && v.labels.reason === reason)?.value ?? 0;
}

async function ignored(app: RunningApp): Promise<number> {
  const metric = await app.metrics.callbacksAccepted.get();
  return metric.values.find((v) => v.labels.provider === 'signhost' && v.labels.delivery === 'ignored')?.value ?? 0;
}

const keys = (s: TransactionState) => s.events.map((e) => e.key);
const johnKeys = JOHN_ACTIVITIES.map((a) => `activity:${a.Id}`);
const janeKeys = JANE_ACTIVITIES.map((a) => `activity:${a.Id}`);

describe('Signhost postbacks', () => {
  it('records the sample-like postback: every activity once, the status, no personal data', async () => {
    const id = randomUUID();
    await registerViaApi(stack.app.url, transaction(id));
    const res = await postback(signhostPostback({ id, status: 30, secret: SECRET }));
    expect(res).toMatchObject({ status: 200, text: '' });
    const s = await state(id);
    expect(s).toMatchObject({ status: 'signed', providerStatus: '30', reference: 'contract-123' });
    expect(keys(s)).toEqual([...johnKeys, ...janeKeys, 'status:30']);
    expect(s.events.find((e) => e.key === johnKeys[2])).toMatchObject({
      type: 'signerAction',
      source: 'callback',
      providerStatus: '105',
      applied: true,
      details: {
        code: 105,
        activity: 'DocumentOpened',
        fileId: 'contract.pdf',
        signerId: 'fa95495d-6c59-48e0-962a-a4552f8d6b85',
      },
    });
    expect(s.events.find((e) => e.key === 'status:30')).toMatchObject({
      type: 'signed',
      status: 'signed',
      applied: true,
    });
    expect(JSON.stringify(s)).not.toMatch(/example\.com|John Doe|Jane Roe|\+31/);
    expect(await searchStatus(id)).toBe('signed');
  });

  it('takes the checksum from the Checksum header when the body has none', async () => {
    const id = randomUUID();
    await registerViaApi(stack.app.url, transaction(id));
    const res = await postback(signhostPostback({ id, status: 20 }), {
      headers: { Checksum: signhostChecksum(id, 20, SECRET) },
    });
    expect(res).toMatchObject({ status: 200, text: '' });
    expect(await state(id)).toMatchObject({ status: 'in_progress', providerStatus: '20' });
  });

  it('applies the same postback once, however often it arrives', async () => {
    const id = randomUUID();
    await registerViaApi(stack.app.url, transaction(id));
    const body = signhostPostback({ id, status: 10, secret: SECRET, john: JOHN_ACTIVITIES.slice(0, 2), jane: [] });
    for (let i = 0; i < 3; i++) expect((await postback(body)).status).toBe(200);
    const s = await state(id);
    expect(s.status).toBe('pending');
    expect(keys(s)).toEqual([...johnKeys.slice(0, 2), 'status:10']);
  });

  it('keeps the transaction signed when activities arrive after status 30', async () => {
    const id = randomUUID();
    await registerViaApi(stack.app.url, transaction(id));
    await postback(signhostPostback({ id, status: 30, secret: SECRET, jane: [] }));
    const later = {
      Id: 'fe0c2b4e-1a3d-4f4e-9b7a-0c1d2e3f4a5b',
      Code: 303,
      Activity: 'SignedDocumentDownloaded',
      CreatedDateTime: '2016-06-17T10:00:00+02:00',
    };
    const res = await postback(signhostPostback({ id, status: 30, secret: SECRET, jane: [...JANE_ACTIVITIES, later] }));
    expect(res.status).toBe(200);
    const s = await state(id);
    expect(s).toMatchObject({ status: 'signed', providerStatus: '30' });
    expect(keys(s)).toEqual([...johnKeys, 'status:30', ...janeKeys, `activity:${later.Id}`]);
  });

  it('keeps the rejecting signer’s reason with status 40', async () => {
    const id = randomUUID();
    await registerViaApi(stack.app.url, transaction(id));
    const reject = {
      Id: '0d9b5e7a-2c1f-4b8e-a6d3-5f4e3d2c1b0a',
      Code: 202,
      Activity: 'Rejected',
      CreatedDateTime: '2016-06-15T23:40:00+02:00',
    };
    await postback(
      signhostPostback({
        id,
        status: 40,
        secret: SECRET,
        john: [reject],
        jane: [],
        johnRejectReason: 'amount is wrong',
      }),
    );
    const s = await state(id);
    expect(s.status).toBe('rejected');
    expect(s.events.find((e) => e.key === 'status:40')).toMatchObject({ reason: 'amount is wrong' });
    expect(s.events.find((e) => e.key === `activity:${reject.Id}`)).toMatchObject({
      reason: 'amount is wrong',
      type: 'signerAction',
    });
  });

  it('answers the empty POST of a newly registered postback URL with 200, and records nothing', async () => {
    const before = await ignored(stack.app);
    const res = await fetch(`${stack.app.url}/callbacks/signhost`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(await ignored(stack.app)).toBe(before + 1);
  });
});

describe('postbacks before the application registers', () => {
  it('keeps an authenticated postback in an unregistered workflow, merged on registration (201)', async () => {
    const id = randomUUID();
    expect((await postback(signhostPostback({ id, status: 30, secret: SECRET }))).status).toBe(200);
    const early = await state(id);
    expect(early).toMatchObject({ status: 'unregistered', registered: false });
    expect(early.events.find((e) => e.key === 'status:30')).toMatchObject({ applied: false });
    expect(await searchStatus(id)).toBe('unregistered');

    const first = await postRegistration(stack.app.url, transaction(id));
    expect(first).toMatchObject({ status: 201, json: { workflowId: workflowId(id) } });
    const merged = await state(id);
    expect(merged).toMatchObject({
      status: 'signed',
      providerStatus: '30',
      registered: true,
      reference: 'contract-123',
    });
    expect(merged.events.find((e) => e.key === 'status:30')).toMatchObject({ applied: true });
    expect(await searchStatus(id)).toBe('signed');
    expect(await postRegistration(stack.app.url, transaction(id))).toMatchObject({
      status: 200,
      json: { workflowId: workflowId(id) },
    });
  });

  it('without a shared secret, never creates a transaction but still updates a registered one', async () => {
    const unknown = randomUUID();
    const before = await refused(open, 'unknown-transaction');
    const res = await postback(signhostPostback({ id: unknown, status: 30, secret: SECRET }), { app: open });
    expect(res).toMatchObject({ status: 200, text: '' });
    expect(await refused(open, 'unknown-transaction')).toBe(before + 1);
    await expectNoWorkflow(unknown);

    const known = randomUUID();
    await registerViaApi(stack.app.url, transaction(known));
    expect((await postback(signhostPostback({ id: known, status: 30 }), { app: open })).status).toBe(200);
    expect(await state(known)).toMatchObject({ status: 'signed' });
  });
});

describe('refused postbacks answer 200 and change nothing', () => {
  const valid = (id: string) => signhostPostback({ id, status: 30, secret: SECRET });

  it.each([
    [
      'a checksum computed with another secret',
      (id: string) => ({ ...valid(id), Checksum: signhostChecksum(id, 30, 'guess') }),
    ],
    ['a checksum for another status', (id: string) => ({ ...valid(id), Checksum: signhostChecksum(id, 20, SECRET) })],
    ['no checksum at all', (id: string) => signhostPostback({ id, status: 30 })],
  ])('%s: unauthorized, nothing created, nothing changed', async (_name, make) => {
    const before = await refused(stack.app, 'unauthorized');
    const unknown = randomUUID();
    expect(await postback(make(unknown))).toMatchObject({ status: 200, text: '' });
    await expectNoWorkflow(unknown);

    const known = randomUUID();
    await registerViaApi(stack.app.url, transaction(known));
    expect(await postback(make(known))).toMatchObject({ status: 200, text: '' });
    expect(await state(known)).toMatchObject({ status: 'pending', events: [] });
    expect(await refused(stack.app, 'unauthorized')).toBe(before + 2);
  });

  it('a wrong Checksum header wins over a right body checksum', async () => {
    const id = randomUUID();
    await registerViaApi(stack.app.url, transaction(id));
    const before = await refused(stack.app, 'unauthorized');
    expect(await postback(valid(id), { headers: { Checksum: signhostChecksum(id, 30, 'guess') } })).toMatchObject({
      status: 200,
      text: '',
    });
    expect(await state(id)).toMatchObject({ status: 'pending', events: [] });
    expect(await refused(stack.app, 'unauthorized')).toBe(before + 1);
  });

  it('the configured security header is accepted', async () => {
    const id = randomUUID();
    await registerViaApi(stack.app.url, transaction(id));
    expect((await postback(valid(id), { app: guarded, headers: { Authorization: AUTHORIZATION } })).status).toBe(200);
    expect(await state(id)).toMatchObject({ status: 'signed' });
  });

  it.each([
    ['missing', {}],
    ['wrong', { Authorization: `${AUTHORIZATION}x` }],
    ['in another scheme', { Authorization: `Bearer ${AUTHORIZATION}` }],
  ])('a security header that is %s: unauthorized, nothing changed', async (_name, headers: Record<string, string>) => {
    const before = await refused(guarded, 'unauthorized');
    const unknown = randomUUID();
    expect(await postback(valid(unknown), { app: guarded, headers })).toMatchObject({ status: 200, text: '' });
    await expectNoWorkflow(unknown);
    const known = randomUUID();
    await registerViaApi(stack.app.url, transaction(known));
    expect(await postback(valid(known), { app: guarded, headers })).toMatchObject({ status: 200, text: '' });
    expect(await state(known)).toMatchObject({ status: 'pending', events: [] });
    expect(await refused(guarded, 'unauthorized')).toBe(before + 2);
  });

  it.each([
    // With the shared secret set, the checksum is checked first, over the body's Id and Status:
    // a body they cannot be read from is refused as unverifiable before its shape is judged.
    ['malformed JSON', 'unauthorized', (raw: string) => raw.slice(0, -2), 'application/json'],
    // A JSON body counts whatever its content type (its checksum decides); a form body is not JSON.
    [
      'a form body',
      'unauthorized',
      (raw: string) => `Id=${encodeURIComponent((JSON.parse(raw) as { Id: string }).Id)}&Status=30`,
      'application/x-www-form-urlencoded',
    ],
    [
      'a body over the limit',
      'too-large',
      (raw: string) => raw.replace('"Seal":false', `"Seal":false,"Pad":"${'x'.repeat(300_000)}"`),
      'application/json',
    ],
    [
      'a Status that is not a number',
      'unauthorized',
      (raw: string) => raw.replace('"Status":30', '"Status":"30"'),
      'application/json',
    ],
  ] as const)('%s: %s, nothing changed', async (_name, reason, mangle, contentType) => {
    const id = randomUUID();
    await registerViaApi(stack.app.url, transaction(id));
    const before = await refused(stack.app, reason);
    const raw = mangle(JSON.stringify(valid(id)));
    const res = await fetch(`${stack.app.url}/callbacks/signhost`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: raw,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(await state(id)).toMatchObject({ status: 'pending', events: [] });
    expect(await refused(stack.app, reason)).toBe(before + 1);
  });

  it('a sender outside the allowlist: forbidden-address, nothing changed', async () => {
    const id = randomUUID();
    await registerViaApi(stack.app.url, transaction(id));
    const before = await refused(fenced, 'forbidden-address');
    expect(await postback(valid(id), { app: fenced })).toMatchObject({ status: 200, text: '' });
    expect(await state(id)).toMatchObject({ status: 'pending', events: [] });
    expect(await refused(fenced, 'forbidden-address')).toBe(before + 1);
  });
});
