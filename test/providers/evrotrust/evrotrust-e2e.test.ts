// Evrotrust end to end: real dev server, real worker, real HTTP on loopback.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowNotFoundError } from '@temporalio/client';
import { getTransactionState, startSigningTransaction } from '../../../src/client';
import { SigningStatus } from '../../../src/common/search-attributes';
import type { TransactionState } from '../../../src/common/types';
import { postJson } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
import { startStack, type Stack } from '../../helpers/stack';
import { startDevServerEnv, uniqueId } from '../../helpers/temporal';
import { postRegistration, registerViaApi, readTransaction } from '../../helpers/transactions';
import { listedIds } from '../../helpers/visibility';

let env: TestWorkflowEnvironment;
let stack: Stack;
const config = testConfig({ LINGER_AFTER_FINAL: '2s' });

beforeAll(async () => {
  env = await startDevServerEnv();
  stack = await startStack(env, config);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

const url = (path: string) => `${stack.app.url}${path}`;

const transaction = (externalId: string) => ({ provider: 'evrotrust', externalId, reference: 'order-1' });

function state(externalId: string): Promise<TransactionState> {
  return readTransaction(url(`/transactions/signing:evrotrust:${externalId}`));
}

async function searchStatus(workflowId: string): Promise<string | undefined> {
  const desc = await env.client.workflow.getHandle(workflowId).describe();
  return desc.typedSearchAttributes.get(SigningStatus);
}

describe('application API', () => {
  it('registers once: 201, then 200 with the same workflow id', async () => {
    const id = uniqueId();
    const first = await postRegistration(stack.app.url, transaction(id));
    expect(first).toMatchObject({ status: 201, json: { workflowId: `signing:evrotrust:${id}` } });
    const again = await postRegistration(stack.app.url, transaction(id));
    expect(again).toMatchObject({ status: 200, json: { workflowId: `signing:evrotrust:${id}` } });
    const s = await state(id);
    expect(s).toMatchObject({
      status: 'pending',
      provider: 'evrotrust',
      kind: 'signing',
      externalId: id,
      reference: 'order-1',
      registered: true,
    });
    expect(await searchStatus(s.workflowId)).toBe('pending');
  });

  it('answers 404 for an unknown workflow id and 400 for a bad body', async () => {
    expect((await fetch(url('/transactions/signing:evrotrust:never'))).status).toBe(404);
    expect((await postJson(url('/transactions'), { provider: 'docusign', externalId: 'x' })).status).toBe(400);
    expect((await postJson(url('/transactions'), { provider: 'signicat', externalId: 'x' })).status).toBe(400);
    expect((await postJson(url('/transactions'), '{not json')).status).toBe(400);
  });

  it('is reachable from TypeScript too', async () => {
    const id = uniqueId();
    const { workflowId, created } = await startSigningTransaction(env.client, {
      provider: 'evrotrust',
      externalId: id,
      taskQueue: config.temporal.taskQueue,
    });
    expect(created).toBe(true);
    expect(await getTransactionState(env.client, workflowId)).toMatchObject({ status: 'pending', externalId: id });
    expect(await getTransactionState(env.client, 'signing:evrotrust:does-not-exist')).toBeUndefined();
  });
});

describe('Evrotrust callbacks', () => {
  it('takes a transaction from pending to signed through the appended paths', async () => {
    const id = uniqueId();
    await registerViaApi(stack.app.url, transaction(id));
    const pending = await postJson(url('/callbacks/evrotrust/document/ready'), { transactionID: id, status: 1 });
    expect(pending).toMatchObject({ status: 200, text: '' });
    const signed = await postJson(url('/callbacks/evrotrust/document/offline/ready'), {
      transactionID: id,
      status: '2',
    });
    expect(signed).toMatchObject({ status: 200, text: '' });
    const s = await state(id);
    expect(s.status).toBe('signed');
    expect(s.providerStatus).toBe('2');
    expect(s.events.map((e) => [e.key, e.source, e.type])).toEqual([
      ['status:1', 'callback', 'statusReported'],
      ['status:2', 'callback', 'signed'],
    ]);
    expect(await searchStatus(s.workflowId)).toBe('signed');
  });

  it('keeps rejectReason and applies a duplicate once', async () => {
    const id = uniqueId();
    await registerViaApi(stack.app.url, transaction(id));
    const body = { transactionID: id, status: 3, rejectReason: 'user declined' };
    expect((await postJson(url('/callbacks/evrotrust'), body)).status).toBe(200);
    expect((await postJson(url('/callbacks/evrotrust'), body)).status).toBe(200);
    const s = await state(id);
    expect(s.status).toBe('rejected');
    expect(s.events).toHaveLength(1);
    expect(s.events[0]).toMatchObject({ reason: 'user declined', providerStatus: '3' });
  });

  it('never moves a final status back', async () => {
    const id = uniqueId();
    await registerViaApi(stack.app.url, transaction(id));
    await postJson(url('/callbacks/evrotrust'), { transactionID: id, status: 2 });
    await postJson(url('/callbacks/evrotrust'), { transactionID: id, status: 1 });
    const s = await state(id);
    expect(s.status).toBe('signed');
    expect(s.events.find((e) => e.key === 'status:1')).toMatchObject({ applied: false });
  });

  it('answers 404 for a transaction nobody registered, and creates nothing', async () => {
    const id = uniqueId();
    const res = await postJson(url('/callbacks/evrotrust'), { transactionID: id, status: 2 });
    expect(res.status).toBe(404);
    await expect(env.client.workflow.getHandle(`signing:evrotrust:${id}`).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });

  it.each([
    ['malformed JSON', '{"transactionID": "x", ', 'application/json', 400],
    ['wrong content type', 'transactionID=x&status=2', 'application/x-www-form-urlencoded', 415],
    ['missing status', JSON.stringify({ transactionID: 'ID' }), 'application/json', 400],
    ['unknown status', JSON.stringify({ transactionID: 'ID', status: 42 }), 'application/json', 400],
    [
      'body over the limit',
      JSON.stringify({ transactionID: 'ID', status: 2, pad: 'x'.repeat(300_000) }),
      'application/json',
      413,
    ],
  ])('refuses %s and leaves the transaction as it was', async (_name, raw, contentType, expected) => {
    const id = uniqueId();
    await registerViaApi(stack.app.url, transaction(id));
    const res = await fetch(url('/callbacks/evrotrust'), {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: raw.replace('ID', id),
    });
    expect(res.status).toBe(expected);
    const s = await state(id);
    expect(s.status).toBe('pending');
    expect(s.events).toHaveLength(0);
  });

  it('records a callback after the workflow closed as late, without a second run', async () => {
    const id = uniqueId();
    await registerViaApi(stack.app.url, transaction(id));
    await postJson(url('/callbacks/evrotrust'), { transactionID: id, status: 2 });
    const handle = env.client.workflow.getHandle(`signing:evrotrust:${id}`);
    await handle.result(); // closes LINGER_AFTER_FINAL (2 s) after the final status
    const late = await postJson(url('/callbacks/evrotrust'), { transactionID: id, status: 4 });
    expect(late.status).toBe(200);
    const record: unknown = await env.client.workflow.getHandle(`late:signing:evrotrust:${id}:status:4`).result();
    expect(record).toMatchObject({ workflowId: `signing:evrotrust:${id}`, events: [{ providerStatus: '4' }] });
    // A retry of what the transaction already holds is a duplicate, not late news.
    expect((await postJson(url('/callbacks/evrotrust'), { transactionID: id, status: 2 })).status).toBe(200);
    await expect(
      env.client.workflow.getHandle(`late:signing:evrotrust:${id}:status:2`).describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(await listedIds(env.client, `WorkflowId = 'signing:evrotrust:${id}'`)).toHaveLength(1);
    expect(await handle.query<TransactionState>('state')).toMatchObject({ status: 'signed' });
  });
});

describe('health and metrics', () => {
  it('reports up, ready and counts', async () => {
    expect((await fetch(url('/healthz'))).status).toBe(200);
    expect((await fetch(url('/readyz'))).status).toBe(200);
    const metrics = await (await fetch(url('/metrics'))).text();
    expect(metrics).toMatch(/countersign_callbacks_received_total\{provider="evrotrust"\} [1-9]/);
    expect(metrics).toMatch(
      /countersign_callbacks_refused_total\{provider="evrotrust",reason="unknown-transaction"\} [1-9]/,
    );
  });
});
