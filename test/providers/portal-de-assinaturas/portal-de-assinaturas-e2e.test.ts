// Portal de Assinaturas end to end: real dev server, real worker, real HTTP on loopback.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createSignerTag } from '../../../src/providers/portal-de-assinaturas';
import { SigningStatus } from '../../../src/common/search-attributes';
import type { TransactionState } from '../../../src/common/types';
import { capturingLogger, postJson, startApp } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
import { startStack, type Stack } from '../../helpers/stack';
import { freeFixedWorkflowId, startDevServerEnv, uniqueId } from '../../helpers/temporal';
import { postRegistration, registerViaApi, readTransaction } from '../../helpers/transactions';

const CPF_A = '307.625.739-02';
const CPF_B = '111.444.777-35';
const EMAIL = 'joao.silva@mail.com';
const AUTH = { 'X-Callback-Token': 's3cret' };
const PATH = '/callbacks/portal-de-assinaturas';

let env: TestWorkflowEnvironment;
let stack: Stack; // the callback header configured: callbacks are authenticated
let openStack: Stack; // no header configured: callbacks reach registered transactions only
const logs = capturingLogger();
const config = testConfig({
  PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: 'X-Callback-Token: s3cret',
  LINGER_AFTER_FINAL: '2s',
});

beforeAll(async () => {
  env = await startDevServerEnv();
  stack = await startStack(env, config, undefined, logs.logger);
  openStack = await startStack(env, testConfig());
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await openStack?.stop();
  await env?.teardown();
});

const url = (path: string, s: Stack = stack) => `${s.app.url}${path}`;
const post = (body: unknown, headers: Record<string, string> = AUTH, s: Stack = stack) =>
  postJson(url(PATH, s), body, headers);
const doc = (documentId: string | number, action: string, extra: Record<string, unknown> = {}) => ({
  documentId,
  name: 'João da Silva',
  identifier: CPF_A,
  action,
  message: '',
  apiDownload: 'https://api-sbx.portaldeassinaturas.com.br/api/v2/document/Package?key=4B4659AB34847973',
  ...extra,
});
const mail = (registeredMailId: string | number, action: string, info: Record<string, unknown> = {}) => ({
  type: 'REGISTERED-MAIL',
  registeredMailId,
  recipient: EMAIL,
  action,
  info,
});

const transaction = (externalId: string, kind: 'signing' | 'registered-mail' = 'signing') => ({
  provider: 'portal-de-assinaturas',
  externalId,
  kind,
});

function state(externalId: string, kind: 'signing' | 'registered-mail' = 'signing'): Promise<TransactionState> {
  return readTransaction(url(`/transactions/${kind}:portal-de-assinaturas:${externalId}`));
}

async function searchStatus(workflowId: string): Promise<string | undefined> {
  const desc = await env.client.workflow.getHandle(workflowId).describe();
  return desc.typedSearchAttributes.get(SigningStatus);
}

async function expectNoWorkflow(workflowId: string) {
  await expect(env.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
}

describe('document callbacks (ACTION trigger)', () => {
  it('takes a document through signer actions and steps to signed', async () => {
    const id = uniqueId('doc');
    await registerViaApi(stack.app.url, transaction(id));

    expect(await post(doc(id, 'SIGNATURE-DIGITAL'))).toMatchObject({ status: 200 });
    expect((await state(id)).status).toBe('in_progress');
    expect((await post(doc(id, 'SIGNATURE-ELETRONIC', { name: 'Maria Souza', identifier: CPF_B }))).status).toBe(200);
    expect((await post(doc(id, 'STEP-1', { name: '', identifier: '' }))).status).toBe(200);
    expect((await post(doc(id, 'APPROVAL-OK', { name: 'Maria Souza', identifier: CPF_B }))).status).toBe(200);
    // The same action by a second signer is its own fact, not a retry of the first.
    expect((await post(doc(id, 'SIGNATURE-DIGITAL', { name: 'Maria Souza', identifier: CPF_B }))).status).toBe(200);
    expect((await post(doc(id, 'FLOW', { name: '', identifier: '' }))).status).toBe(200);

    const s = await state(id);
    expect(s).toMatchObject({ status: 'signed', providerStatus: 'FLOW', registered: true, kind: 'signing' });
    expect(s.events.map((e) => [e.type, e.providerStatus, e.source])).toEqual([
      ['signerAction', 'SIGNATURE-DIGITAL', 'callback'],
      ['signerAction', 'SIGNATURE-ELETRONIC', 'callback'],
      ['stepCompleted', 'STEP-1', 'callback'],
      ['signerAction', 'APPROVAL-OK', 'callback'],
      ['signerAction', 'SIGNATURE-DIGITAL', 'callback'],
      ['signed', 'FLOW', 'callback'],
    ]);
    // Signers told apart by a keyed tag and a masked CPF; no name, no full CPF in state.
    expect(s.events[0].details).toMatchObject({
      cpfMasked: '***.625.739-**',
      signer: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(s.events[1].details).toMatchObject({ cpfMasked: '***.444.777-**' });
    expect(s.events[1].details?.signer).not.toBe(s.events[0].details?.signer);
    for (const personal of ['João', 'Maria', CPF_A, CPF_B]) expect(JSON.stringify(s)).not.toContain(personal);
    expect(await searchStatus(s.workflowId)).toBe('signed');
  });

  it('keeps signed when STEP-1 arrives after FLOW', async () => {
    const id = uniqueId('doc');
    await registerViaApi(stack.app.url, transaction(id));
    await post(doc(id, 'FLOW'));
    expect((await post(doc(id, 'STEP-1'))).status).toBe(200);
    const s = await state(id);
    expect(s.status).toBe('signed');
    expect(s.events.find((e) => e.key === 'STEP-1')).toMatchObject({ applied: false, status: 'in_progress' });
  });

  it('applies the same callback twice only once (the provider retries every 30 minutes)', async () => {
    const id = uniqueId('doc');
    await registerViaApi(stack.app.url, transaction(id));
    const body = doc(id, 'SIGNATURE-SERVER');
    expect((await post(body)).status).toBe(200);
    expect((await post(body)).status).toBe(200);
    expect((await post({ ...body, documentId: undefined, documentID: id })).status).toBe(200);
    const s = await state(id);
    expect(s.events).toHaveLength(1);
    expect(s.status).toBe('in_progress');
  });

  it('ends rejected with the message as reason', async () => {
    const id = uniqueId('doc');
    await registerViaApi(stack.app.url, transaction(id));
    await post(doc(id, 'SIGNATURE-DIGITAL'));
    expect(
      (await post(doc(id, 'SIGNATURE-NOK', { name: 'Maria Souza', identifier: CPF_B, message: 'dados incorretos' })))
        .status,
    ).toBe(200);
    await post(doc(id, 'FLOW'));
    const s = await state(id);
    expect(s).toMatchObject({ status: 'rejected', providerStatus: 'SIGNATURE-NOK' });
    expect(s.events.find((e) => e.type === 'rejected')).toMatchObject({ reason: 'dados incorretos', applied: true });
    expect(s.events.find((e) => e.type === 'signed')).toMatchObject({ applied: false });
    expect(await searchStatus(s.workflowId)).toBe('rejected');
  });

  it('keeps an action the documentation does not list, without moving the status', async () => {
    const id = uniqueId('doc');
    await registerViaApi(stack.app.url, transaction(id));
    expect((await post(doc(id, 'SIGNATURE-BIOMETRIC'))).status).toBe(200);
    const s = await state(id);
    expect(s.status).toBe('pending');
    expect(s.events).toMatchObject([
      { type: 'signerAction', providerStatus: 'SIGNATURE-BIOMETRIC', details: { unknownAction: true } },
    ]);
  });

  it('accepts the documented sample exactly as written, missing comma included', async () => {
    const sample = `    { 
        "documentID": 123456,
        "name": "João da Silva",
        "identifier": "307.625.739-02",
        "action": "SIGNATURE-DIGITAL",
        "message": ""
        "apiDownload": "https://api-sbx.portaldeassinaturas.com.br/api/v2/document/Package?key=4B4659AB34847973&includeOriginal;=false"
    }`;
    await freeFixedWorkflowId(env.client, 'signing:portal-de-assinaturas:123456');
    await registerViaApi(stack.app.url, transaction('123456'));
    const res = await fetch(url(PATH), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: sample,
    });
    expect(res.status).toBe(200);
    const s = await state('123456');
    expect(s.status).toBe('in_progress');
    expect(s.events[0]).toMatchObject({
      providerStatus: 'SIGNATURE-DIGITAL',
      details: { cpfMasked: '***.625.739-**' },
    });
  });
});

describe('registered-mail callbacks', () => {
  it('goes delivered, then opened', async () => {
    const id = uniqueId('mail');
    await registerViaApi(stack.app.url, transaction(id, 'registered-mail'));
    expect((await state(id, 'registered-mail')).status).toBe('sent');
    expect((await post(mail(id, 'DELIVERED', { message: 'Successfully delivered' }))).status).toBe(200);
    expect((await state(id, 'registered-mail')).status).toBe('delivered');
    expect((await post(mail(id, 'OPENED'))).status).toBe(200);
    const s = await state(id, 'registered-mail');
    expect(s).toMatchObject({
      status: 'opened',
      kind: 'registered-mail',
      workflowId: `registered-mail:portal-de-assinaturas:${id}`,
    });
    expect(s.events.map((e) => [e.key, e.type])).toEqual([
      ['DELIVERED', 'delivered'],
      ['OPENED', 'opened'],
    ]);
    expect(s.events[0].details).toEqual({ infoMessage: 'Successfully delivered' });
    expect(JSON.stringify(s)).not.toContain(EMAIL);
    expect(await searchStatus(s.workflowId)).toBe('opened');
  });

  it('records NOT-DELIVERED with the reason from info', async () => {
    const id = uniqueId('mail');
    await registerViaApi(stack.app.url, transaction(id, 'registered-mail'));
    expect((await post(mail(id, 'NOT-DELIVERED', { message: 'mailbox does not exist' }))).status).toBe(200);
    const s = await state(id, 'registered-mail');
    expect(s.status).toBe('not_delivered');
    expect(s.events[0]).toMatchObject({
      type: 'notDelivered',
      reason: 'mailbox does not exist',
      details: { infoMessage: 'mailbox does not exist' },
    });
  });

  it('accepts the documented sample exactly as written', async () => {
    const sample = `    { 
        "type": "REGISTERED-MAIL",
        "registeredMailId": 123456,
        "recipient": "joao.silva@mail.com",
        "action": "DELIVERED",
        "info":{"message":"Successfully delivered"}
    }`;
    await freeFixedWorkflowId(env.client, 'registered-mail:portal-de-assinaturas:123456');
    await registerViaApi(stack.app.url, transaction('123456', 'registered-mail'));
    const res = await fetch(url(PATH), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: sample,
    });
    expect(res.status).toBe(200);
    expect(await state('123456', 'registered-mail')).toMatchObject({ status: 'delivered', externalId: '123456' });
  });
});

describe('callbacks before registration', () => {
  it('keeps a document unregistered, then merges on POST /transactions', async () => {
    const id = uniqueId('doc');
    expect((await post(doc(id, 'SIGNATURE-DIGITAL'))).status).toBe(200);
    expect((await post(doc(id, 'FLOW'))).status).toBe(200);
    const before = await state(id);
    expect(before).toMatchObject({ status: 'unregistered', registered: false });
    expect(before.events).toHaveLength(2);
    expect(await searchStatus(before.workflowId)).toBe('unregistered');

    expect(await postRegistration(stack.app.url, transaction(id))).toMatchObject({
      status: 201,
      json: { workflowId: `signing:portal-de-assinaturas:${id}` },
    });
    const after = await state(id);
    expect(after).toMatchObject({ status: 'signed', registered: true });
    expect(after.events.every((e) => e.applied)).toBe(true);
  });

  it('keeps a registered mail unregistered, then merges on POST /transactions with its registeredMailId', async () => {
    const id = uniqueId('mail');
    expect((await post(mail(id, 'DELIVERED'))).status).toBe(200);
    expect((await state(id, 'registered-mail')).status).toBe('unregistered');
    await registerViaApi(stack.app.url, transaction(id, 'registered-mail'));
    expect(await state(id, 'registered-mail')).toMatchObject({ status: 'delivered', registered: true });
  });

  it('without a configured header, answers 404 for an unknown document and creates nothing', async () => {
    const id = uniqueId('doc');
    expect((await post(doc(id, 'FLOW'), {}, openStack)).status).toBe(404);
    await expectNoWorkflow(`signing:portal-de-assinaturas:${id}`);
    const mailId = uniqueId('mail');
    expect((await post(mail(mailId, 'DELIVERED'), {}, openStack)).status).toBe(404);
    await expectNoWorkflow(`registered-mail:portal-de-assinaturas:${mailId}`);
    // ...and still delivers to a transaction the application registered.
    await registerViaApi(openStack.app.url, transaction(id));
    expect((await post(doc(id, 'FLOW'), {}, openStack)).status).toBe(200);
    expect((await state(id)).status).toBe('signed');
  });
});

describe('bad requests change nothing', () => {
  const raw = (id: string) => JSON.stringify(doc(id, 'FLOW'));
  it.each([
    ['a missing header', (id: string) => raw(id), 'application/json', {}, 401, ''],
    [
      'a wrong header value',
      (id: string) => raw(id),
      'application/json',
      { 'X-Callback-Token': 's3cret-not' },
      401,
      '',
    ],
    [
      'the header value under another name',
      (id: string) => raw(id),
      'application/json',
      { Authorization: 's3cret' },
      401,
      '',
    ],
    [
      'a missing id',
      (id: string) => JSON.stringify({ ...doc(id, 'FLOW'), documentId: undefined }),
      'application/json',
      AUTH,
      400,
      'payload',
    ],
    [
      'two ids that disagree',
      (id: string) => JSON.stringify({ ...doc(id, 'FLOW'), documentID: `${id}-other` }),
      'application/json',
      AUTH,
      400,
      'payload',
    ],
    [
      'an action that is no action name',
      (id: string) => JSON.stringify(doc(id, 'FLOW!')),
      'application/json',
      AUTH,
      400,
      'payload',
    ],
    ['a wrong content type', (id: string) => raw(id), 'text/plain', AUTH, 415, 'content type'],
    ['malformed JSON', (id: string) => raw(id).slice(0, -1), 'application/json', AUTH, 400, 'JSON'],
    [
      'a body over the limit',
      (id: string) => JSON.stringify({ ...doc(id, 'FLOW'), pad: 'x'.repeat(300_000) }),
      'application/json',
      AUTH,
      413,
      'large',
    ],
  ])('refuses %s', async (_name, body, contentType, headers, expected, errorText) => {
    const id = uniqueId('doc');
    await registerViaApi(stack.app.url, transaction(id));
    const res = await fetch(url(PATH), {
      method: 'POST',
      headers: { 'content-type': contentType, ...headers },
      body: body(id),
    });
    expect(res.status).toBe(expected);
    const text = await res.text();
    if (expected === 401) expect(text).toBe('');
    else expect(text).toContain(errorText);
    const s = await state(id);
    expect(s.status).toBe('pending');
    expect(s.events).toHaveLength(0);
  });

  it('refuses an unauthenticated callback about an unknown document without creating it', async () => {
    const id = uniqueId('doc');
    expect((await post(doc(id, 'FLOW'), { 'X-Callback-Token': 'guess' })).status).toBe(401);
    await expectNoWorkflow(`signing:portal-de-assinaturas:${id}`);
  });

  it('refuses senders outside the allowlist (production keyword) with 403', async () => {
    const app = await startApp(testConfig({ PORTAL_DE_ASSINATURAS_ALLOWED_IPS: 'production' }), env.client);
    try {
      const id = uniqueId('doc');
      const res = await postJson(`${app.url}${PATH}`, doc(id, 'FLOW'));
      expect(res.status).toBe(403);
      await expectNoWorkflow(`signing:portal-de-assinaturas:${id}`);
    } finally {
      await app.close();
    }
  });
});

describe('late callbacks and personal data', () => {
  it('records a signer action after the workflow closed as late, keyed without the CPF', async () => {
    const id = uniqueId('doc');
    await registerViaApi(stack.app.url, transaction(id));
    await post(doc(id, 'FLOW'));
    const handle = env.client.workflow.getHandle(`signing:portal-de-assinaturas:${id}`);
    await handle.result(); // closes LINGER_AFTER_FINAL (2 s) after the final status
    expect((await post(doc(id, 'SIGNATURE-DIGITAL'))).status).toBe(200);
    const key = `SIGNATURE-DIGITAL:${createSignerTag('s3cret')(CPF_A)}`;
    const lateId = `late:signing:portal-de-assinaturas:${id}:${key}`;
    expect(lateId).not.toMatch(/307|625|739/);
    expect(await env.client.workflow.getHandle(lateId).result()).toMatchObject({
      events: [{ key, providerStatus: 'SIGNATURE-DIGITAL' }],
    });
  });

  it('never wrote a CPF, name or e-mail address to the logs', () => {
    const text = logs.text();
    expect(text).toContain('callback accepted');
    expect(text).toContain('callback refused');
    for (const secret of [
      CPF_A,
      CPF_B,
      CPF_A.replace(/\D/g, ''),
      CPF_B.replace(/\D/g, ''),
      'João',
      'Maria Souza',
      EMAIL,
      's3cret',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
