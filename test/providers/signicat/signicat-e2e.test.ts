// Signicat Assure end to end: real dev server, real worker, real HTTP on loopback.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowNotFoundError } from '@temporalio/client';
import { SigningStatus } from '../../../src/common/search-attributes';
import type { TransactionState } from '../../../src/common/types';
import { postJson, startApp, type RunningApp } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
import { startStack, type Stack } from '../../helpers/stack';
import { freeFixedWorkflowId, startDevServerEnv, uniqueId } from '../../helpers/temporal';
import { postRegistration, registerViaApi, readTransaction } from '../../helpers/transactions';

const SECRET = 'signicat-callback-secret';
let env: TestWorkflowEnvironment;
let stack: Stack;
/** A second HTTP app on the same task queue, with no callback authorization configured. */
let openApp: RunningApp;
const config = testConfig({ SIGNICAT_CALLBACK_AUTHORIZATION: SECRET });

beforeAll(async () => {
  env = await startDevServerEnv();
  stack = await startStack(env, config);
  openApp = await startApp(testConfig({}, config.temporal.taskQueue), env.client);
}, 120_000);

afterAll(async () => {
  await openApp?.close();
  await stack?.stop();
  await env?.teardown();
});

const url = (path: string) => `${stack.app.url}${path}`;
const auth = { authorization: SECRET };
const callback = (body: unknown, headers: Record<string, string> = auth, base = stack.app.url) =>
  postJson(`${base}/callbacks/signicat`, body, headers);

const transaction = (processId: string, dossierId = `dossier-${processId}`) => ({
  provider: 'signicat',
  externalId: processId,
  dossierId,
  reference: 'order-7',
});

function state(processId: string): Promise<TransactionState> {
  return readTransaction(url(`/transactions/signing:signicat:${processId}`));
}

async function exists(processId: string): Promise<boolean> {
  try {
    await env.client.workflow.getHandle(`signing:signicat:${processId}`).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** Signicat's documented example body, byte for byte as printed (docs/providers/signicat.md). */
const documentedSample = () =>
  readFileSync(join(__dirname, '../../fixtures/signicat/documented-callback.json'), 'utf8');

describe('Signicat callbacks', () => {
  it('takes the documented sample payload as written to signed', async () => {
    const raw = documentedSample();
    const { dossierId, processId } = JSON.parse(raw) as { dossierId: string; processId: string };
    await freeFixedWorkflowId(env.client, `signing:signicat:${processId}`);
    expect(await postRegistration(stack.app.url, transaction(processId, dossierId))).toMatchObject({
      status: 201,
      json: { workflowId: `signing:signicat:${processId}` },
    });
    const res = await callback(raw);
    expect(res).toMatchObject({ status: 200, text: '' });
    const s = await state(processId);
    expect(s).toMatchObject({ status: 'signed', providerStatus: 'accepted', dossierId, registered: true });
    expect(s.events.map((e) => [e.key, e.source, e.type])).toEqual([['status:accepted', 'callback', 'signed']]);
    const desc = await env.client.workflow.getHandle(s.workflowId).describe();
    expect(desc.typedSearchAttributes.get(SigningStatus)).toBe('signed');
  });

  it('goes through processing to rejected, with a Bearer-prefixed header', async () => {
    const id = uniqueId();
    await registerViaApi(stack.app.url, transaction(id));
    const headers = { authorization: `Bearer ${SECRET}` };
    expect((await callback({ dossierId: `dossier-${id}`, processId: id, status: 'processing' }, headers)).status).toBe(
      200,
    );
    expect((await state(id)).status).toBe('in_progress');
    expect((await callback({ dossierId: `dossier-${id}`, processId: id, status: 'rejected' }, headers)).status).toBe(
      200,
    );
    expect(await state(id)).toMatchObject({ status: 'rejected', providerStatus: 'rejected' });
  });

  it('keeps an unknown status without changing the transaction', async () => {
    const id = uniqueId();
    await registerViaApi(stack.app.url, transaction(id));
    const res = await callback({ dossierId: `dossier-${id}`, processId: id, status: 'canceled' });
    expect(res.status).toBe(200);
    const s = await state(id);
    expect(s.status).toBe('pending');
    expect(s.providerStatus).toBeUndefined();
    expect(s.events).toEqual([
      expect.objectContaining({
        key: 'status:canceled',
        type: 'statusReported',
        providerStatus: 'canceled',
        applied: true,
      }),
    ]);
    expect(s.events[0]).not.toHaveProperty('status');
  });

  it('keeps a callback that came before registration, and merges it when the application registers', async () => {
    const id = uniqueId();
    const dossierId = `dossier-${id}`;
    expect((await callback({ dossierId, processId: id, status: 'accepted' })).status).toBe(200);
    expect(await state(id)).toMatchObject({
      status: 'unregistered',
      registered: false,
      dossierId,
      events: [{ key: 'status:accepted', applied: false }],
    });
    expect(await postRegistration(stack.app.url, transaction(id, dossierId))).toMatchObject({
      status: 201,
      json: { workflowId: `signing:signicat:${id}` },
    });
    const s = await state(id);
    expect(s).toMatchObject({
      status: 'signed',
      registered: true,
      dossierId,
      reference: 'order-7',
      providerStatus: 'accepted',
    });
    expect(s.events).toEqual([expect.objectContaining({ key: 'status:accepted', applied: true })]);
  });

  it('applies a duplicate once', async () => {
    const id = uniqueId();
    await registerViaApi(stack.app.url, transaction(id));
    const body = { dossierId: `dossier-${id}`, processId: id, status: 'inconclusive' };
    expect((await callback(body)).status).toBe(200);
    expect((await callback(body)).status).toBe(200);
    const s = await state(id);
    expect(s.status).toBe('failed');
    expect(s.events).toHaveLength(1);
  });

  it.each([
    ['missing authorization', { 'content-type': 'application/json' }, (id: string) => JSON.stringify(valid(id)), 401],
    [
      'wrong authorization',
      { 'content-type': 'application/json', authorization: 'not-the-secret' },
      (id: string) => JSON.stringify(valid(id)),
      401,
    ],
    [
      'missing processId',
      { 'content-type': 'application/json', ...auth },
      (id: string) => JSON.stringify({ ...valid(id), processId: undefined }),
      400,
    ],
    [
      'non-string status',
      { 'content-type': 'application/json', ...auth },
      (id: string) => JSON.stringify({ ...valid(id), status: 2 }),
      400,
    ],
    [
      'malformed JSON',
      { 'content-type': 'application/json', ...auth },
      (id: string) => JSON.stringify(valid(id)).slice(0, -1),
      400,
    ],
    ['wrong content type', { 'content-type': 'text/plain', ...auth }, (id: string) => JSON.stringify(valid(id)), 415],
  ])('refuses %s and leaves the transaction as it was', async (_name, headers, makeBody, expected) => {
    const id = uniqueId();
    await registerViaApi(stack.app.url, transaction(id));
    const res = await fetch(url('/callbacks/signicat'), { method: 'POST', headers, body: makeBody(id) });
    expect(res.status).toBe(expected);
    if (expected === 401) expect(await res.text()).toBe('');
    const s = await state(id);
    expect(s.status).toBe('pending');
    expect(s.events).toHaveLength(0);
  });

  it('creates nothing for an unknown process when the authorization is wrong', async () => {
    const id = uniqueId();
    const res = await callback(valid(id), { authorization: 'not-the-secret' });
    expect(res).toMatchObject({ status: 401, text: '' });
    expect(await exists(id)).toBe(false);
  });
});

describe('Signicat callbacks with no authorization configured', () => {
  it('reach a registered transaction', async () => {
    const id = uniqueId();
    await registerViaApi(stack.app.url, transaction(id));
    expect((await callback(valid(id), {}, openApp.url)).status).toBe(200);
    expect((await state(id)).status).toBe('signed');
  });

  it('answer 404 for an unknown process and create nothing', async () => {
    const id = uniqueId();
    const res = await callback(valid(id), auth, openApp.url);
    expect(res.status).toBe(404);
    expect(await exists(id)).toBe(false);
  });
});

function valid(id: string) {
  return { dossierId: `dossier-${id}`, processId: id, status: 'accepted' };
}
