// The operator CLI against a real dev server, worker and HTTP app.
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { run } from '../../src/cli/countersign';
import type { TransactionState } from '../../src/common/types';
import { postJson } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { eventually } from '../helpers/http';
import { SigningExternalId, SigningProvider, SigningStatus } from '../../src/common/search-attributes';
import type { LateCallback } from '../../src/workflows/late-callback';
import { newKeyEntry } from '../../src/encryption/keys';
import { engineClient } from '../../src/temporal/engine-client';

// Visibility is eventually consistent on a real cluster (and rate-limited): listings are
// polled, gently, until they show what the test expects.
const listed = <T>(check: () => Promise<T>) => eventually(check, 30_000, 500);

let env: TestWorkflowEnvironment;
let stack: Stack;
const taskQueue = `cli-${uniqueId('q')}`;
const config = testConfig({ LINGER_AFTER_FINAL: '1s' }, taskQueue);
const saved = { ...process.env };

beforeAll(async () => {
  env = await startDevServerEnv();
  stack = await startStack(env, config);
  process.env.TEMPORAL_ADDRESS = env.address;
  process.env.TEMPORAL_TASK_QUEUE = taskQueue;
  process.env.COUNTERSIGN_URL = stack.app.url;
}, 120_000);

afterAll(async () => {
  process.env = saved;
  await stack?.stop();
  await env?.teardown();
});

async function cli(...argv: string[]) {
  const lines: string[] = [];
  const code = await run(argv, (s) => lines.push(s));
  return { code, text: lines.join('\n') };
}

it('lists, shows and nudges transactions', async () => {
  const id = uniqueId();
  await postJson(`${stack.app.url}/transactions`, { provider: 'evrotrust', externalId: id, reference: 'inv-3' });
  await postJson(`${stack.app.url}/callbacks/evrotrust`, { transactionID: id, status: 1 });

  await listed(async () => {
    const list = await cli('list', '--provider', 'evrotrust', '--open');
    expect(list.code).toBe(0);
    expect(list.text).toContain(`signing:evrotrust:${id}`);
  });

  const show = await cli('show', `signing:evrotrust:${id}`);
  expect(show.text).toMatch(/status\s+pending \(provider: 1\)/);
  expect(show.text).toContain('inv-3');
  expect(show.text).toMatch(/statusReported\s+callback\s+1/);

  // No follow-up for Evrotrust without credentials: the request is honoured and its outcome recorded.
  expect((await cli('poll', `signing:evrotrust:${id}`)).code).toBe(0);
  const handle = env.client.workflow.getHandle(`signing:evrotrust:${id}`);
  for (let i = 0; i < 50; i++) {
    if ((await handle.query<TransactionState>('state')).lastFollowUp) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect((await handle.query<TransactionState>('state')).lastFollowUp).toBeDefined();

  expect((await cli('show', 'signing:evrotrust:nope')).code).toBe(2);
});

it('lists late callbacks and applies one by hand in a new run', async () => {
  const id = uniqueId();
  const workflowId = `signing:evrotrust:${id}`;
  await postJson(`${stack.app.url}/transactions`, { provider: 'evrotrust', externalId: id });
  await postJson(`${stack.app.url}/callbacks/evrotrust`, { transactionID: id, status: 1 });
  // The operator-visible failure mode: the deadline passed, then the real answer came late.
  await env.client.workflow.getHandle(workflowId).terminate('test: close the transaction');
  expect((await postJson(`${stack.app.url}/callbacks/evrotrust`, { transactionID: id, status: 2 })).status).toBe(200);

  await listed(async () => {
    const late = await cli('late');
    expect(late.text).toContain(`late:${workflowId}:status:2`);
    expect(late.text).toContain('transaction workflow already closed');
  });

  const applied = await cli('late', 'apply', `late:${workflowId}:status:2`);
  expect(applied.text).toContain('new run');
  const handle = env.client.workflow.getHandle(workflowId);
  for (let i = 0; i < 50; i++) {
    if ((await handle.query<TransactionState>('state')).status === 'signed') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await handle.query<TransactionState>('state')).toMatchObject({ status: 'signed', registered: true });
});

/** A late Signicat "completed" about transaction `id`, as the receivers record one. */
const lateRecord = (id: string): LateCallback => ({
  workflowId: `signing:signicat:${id}`,
  ref: { provider: 'signicat', kind: 'signing', externalId: id },
  event: {
    key: 'status:completed',
    type: 'statusReported',
    source: 'callback',
    receivedAt: '2026-01-01T10:00:00.000Z',
    status: 'signed',
    providerStatus: 'completed',
  },
  reason: 'transaction workflow already closed',
});

/** Its late-callback workflow, on a queue no worker polls, so it stays running; written through `client`'s codec. */
const startLate = (client: Client, id: string) =>
  client.workflow.start('lateCallbackWorkflow', {
    workflowId: `late:signing:signicat:${id}:status:completed`,
    taskQueue: `nobody-polls-${uniqueId('q')}`,
    args: [lateRecord(id)],
    typedSearchAttributes: [
      { key: SigningProvider, value: 'signicat' },
      { key: SigningExternalId, value: id },
      { key: SigningStatus, value: 'late' },
    ],
  });

it('lists and shows a late callback whose workflow is still running, without waiting for it', async () => {
  // No worker polls this queue: the record's workflow stays running. The listing must read
  // it anyway (it used to wait for the result, forever).
  const id = uniqueId();
  const record = lateRecord(id);
  const lateId = (await startLate(env.client, id)).workflowId;
  try {
    await listed(async () => {
      const late = await cli('late');
      expect(late.code).toBe(0);
      expect(late.text).toContain(lateId);
    });
    const show = await cli('late', 'show', lateId);
    expect(JSON.parse(show.text)).toEqual(record);
  } finally {
    await env.client.workflow.getHandle(lateId).terminate('test done');
  }
}, 45_000);

it('shows refused callbacks with their reason', async () => {
  await postJson(`${stack.app.url}/callbacks/evrotrust`, { transactionID: uniqueId(), status: 2 });
  const refused = await cli('refused');
  expect(refused.text).toMatch(/evrotrust\s+unknown-transaction/);
});

it('lists a late callback it cannot decrypt as unreadable, and every other one as usual', async () => {
  // Another deployment's key (or one retired from this CLI's configuration).
  const foreign = engineClient(env.connection, testConfig({ COUNTERSIGN_ENCRYPTION_KEYS: newKeyEntry('foreign') }));
  const sealed = await startLate(foreign, uniqueId());
  const readable = await startLate(env.client, uniqueId());
  try {
    await listed(async () => {
      const late = await cli('late');
      expect(late.code).toBe(0);
      const line = (id: string) => late.text.split('\n').find((l) => l.includes(id)) ?? '';
      expect(line(sealed.workflowId)).toMatch(/cannot read: .*(no key|key)/);
      expect(line(readable.workflowId)).toContain('statusReported (completed)');
    });
  } finally {
    for (const h of [sealed, readable]) await h.terminate('test done');
  }
}, 45_000);
