// GET /transactions and `countersign list`: the latest change first (a transaction that just
// closed before ones that merely started), filters, cursor paging, refusals naming the
// parameter. Real dev server, worker and HTTP; the CLI through its own entry point.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { run } from '../../src/cli/countersign';
import { postJson } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { freePort } from '../helpers/ports';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let stack: Stack;
const taskQueue = `list-${uniqueId('q')}`;
const config = testConfig({ LINGER_AFTER_FINAL: '1s' }, taskQueue);
const saved = { ...process.env };
const ids = { closed: uniqueId('a'), older: uniqueId('b'), newer: uniqueId('c') };
const wf = {
  closed: `signing:evrotrust:${ids.closed}`,
  older: `signing:signhost:${ids.older}`,
  newer: `signing:evrotrust:${ids.newer}`,
};
let newerStartedAt: string;

interface Page {
  transactions: Array<{ workflowId: string; status?: string; run: string; lastChange: string }>;
  nextCursor?: string;
}

// On a cluster shared with other tests (COUNTERSIGN_TEST_TEMPORAL_ADDRESS) the namespace holds
// their transactions too: every listing here keeps to what changed since this file began,
// unless it asks for its own `since`.
const began = new Date().toISOString();
const scoped = (query: string) =>
  query.includes('since=') ? query : `${query}${query ? '&' : '?'}since=${encodeURIComponent(began)}`;

async function list(query = ''): Promise<{ status: number; body: Page & { error?: string; detail?: string } }> {
  const res = await fetch(`${stack.app.url}/transactions${scoped(query)}`);
  return { status: res.status, body: (await res.json()) as Page & { error?: string; detail?: string } };
}

const workflowIds = (page: Page) => page.transactions.map((t) => t.workflowId);

beforeAll(async () => {
  env = await startDevServerEnv();
  stack = await startStack(env, config);
  expect(
    (await postJson(`${stack.app.url}/transactions`, { provider: 'evrotrust', externalId: ids.closed })).status,
  ).toBe(201);
  expect(
    (await postJson(`${stack.app.url}/transactions`, { provider: 'signhost', externalId: ids.older })).status,
  ).toBe(201);
  expect(
    (await postJson(`${stack.app.url}/transactions`, { provider: 'evrotrust', externalId: ids.newer })).status,
  ).toBe(201);
  newerStartedAt = (await env.client.workflow.getHandle(wf.newer).describe()).startTime.toISOString();
  // The first one is signed and closes (after LINGER_AFTER_FINAL) last of all.
  expect(
    (await postJson(`${stack.app.url}/callbacks/evrotrust`, { transactionID: ids.closed, status: 2 })).status,
  ).toBe(200);
  await env.client.workflow.getHandle(wf.closed).result();
  // Visibility follows the workflows a moment later.
  for (let i = 0; i < 100; i++) {
    const page = await list();
    if (
      page.body.transactions?.length === 3 &&
      page.body.transactions.some((t) => t.workflowId === wf.closed && t.run === 'completed')
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  process.env.TEMPORAL_ADDRESS = env.address;
  process.env.TEMPORAL_TASK_QUEUE = taskQueue;
}, 120_000);

afterAll(async () => {
  process.env = saved;
  await stack?.stop();
  await env?.teardown();
});

it('lists the latest change first: the one that just closed before the open ones, newest start first', async () => {
  const { status, body } = await list();
  expect(status).toBe(200);
  expect(workflowIds(body)).toEqual([wf.closed, wf.newer, wf.older]);
  expect(body.transactions[0]).toMatchObject({
    status: 'signed',
    run: 'completed',
    provider: 'evrotrust',
    externalId: ids.closed,
  });
  expect(body.nextCursor).toBeUndefined();
});

it('filters by provider, status, open and since', async () => {
  expect(workflowIds((await list('?provider=evrotrust')).body)).toEqual([wf.closed, wf.newer]);
  expect(workflowIds((await list('?status=signed')).body)).toEqual([wf.closed]);
  expect(workflowIds((await list('?status=pending')).body)).toEqual([wf.newer, wf.older]);
  expect(workflowIds((await list('?open=true')).body)).toEqual([wf.newer, wf.older]);
  expect(workflowIds((await list(`?since=${encodeURIComponent(newerStartedAt)}`)).body)).toEqual([wf.closed, wf.newer]);
  expect(workflowIds((await list('?since=1h')).body)).toEqual(expect.arrayContaining([wf.closed, wf.newer, wf.older]));
});

it('pages with a cursor, each transaction once, in order', async () => {
  const seen: string[] = [];
  let query = '?limit=1';
  for (let i = 0; i < 5; i++) {
    const { status, body } = await list(query);
    expect(status).toBe(200);
    expect(body.transactions).toHaveLength(1);
    seen.push(...workflowIds(body));
    if (!body.nextCursor) break;
    query = `?limit=1&cursor=${encodeURIComponent(body.nextCursor)}`;
  }
  expect(seen).toEqual([wf.closed, wf.newer, wf.older]);
});

it('refuses a bad parameter with 400 naming it', async () => {
  expect(await list('?provider=docusign')).toMatchObject({
    status: 400,
    body: { error: 'invalid query', detail: expect.stringMatching(/^provider: /) },
  });
  expect(await list('?since=yesterday')).toMatchObject({
    status: 400,
    body: { detail: 'since: expected an ISO time or a duration like 1h' },
  });
  expect(await list('?cursor=bogus')).toMatchObject({
    status: 400,
    body: { detail: expect.stringMatching(/^cursor: /) },
  });
  expect(await list('?limit=0')).toMatchObject({ status: 400, body: { detail: expect.stringMatching(/^limit: /) } });
  expect(await list('?sort=asc')).toMatchObject({ status: 400, body: { detail: '(body): Unrecognized key: "sort"' } });
});

async function cli(...argv: string[]) {
  const lines: string[] = [];
  const code = await run(argv, (s) => lines.push(s));
  return { code, text: lines.join('\n') };
}

it('countersign list answers the same, as a table or --json, with paging', async () => {
  const json = await cli('list', '--json', '--since', began);
  expect(json.code).toBe(0);
  expect(workflowIds(JSON.parse(json.text) as Page)).toEqual([wf.closed, wf.newer, wf.older]);

  const table = await cli('list', '--provider', 'evrotrust', '--since', began, '--limit', '1');
  expect(table.text.split('\n')[2]).toContain(wf.closed);
  const cursor = /--cursor (\S+)/.exec(table.text)?.[1];
  expect(cursor).toBeDefined();
  const next = await cli('list', '--provider', 'evrotrust', '--since', began, '--limit', '1', '--cursor', cursor!);
  expect(next.text).toContain(wf.newer);
  expect(next.text).not.toContain('--cursor');
});

it('countersign names the address it could not reach and how to change it', async () => {
  const port = await freePort();
  process.env.TEMPORAL_ADDRESS = `127.0.0.1:${port}`;
  try {
    await expect(cli('list')).rejects.toThrow(
      new RegExp(`cannot reach Temporal at 127\\.0\\.0\\.1:${port} .*TEMPORAL_ADDRESS`),
    );
  } finally {
    process.env.TEMPORAL_ADDRESS = env.address;
  }
});
