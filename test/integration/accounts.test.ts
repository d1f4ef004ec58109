// Several accounts of one provider served by one Countersign (docs/accounts.md), against a real
// dev server, real worker and real HTTP: two Signhost applications with their own shared
// secrets, two Evrotrust vendors with their own API (each a simulator that calls back and
// answers status polls only with its own credentials). Each callback reaches its own account's
// transaction, even where both vendors number a transaction alike; one account's secret on the
// other's route is refused.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TransactionState } from '../../src/common/types';
import type { Config } from '../../src/config';
import { EvrotrustSimulator } from '../../src/providers/evrotrust/simulator';
import { capturingLogger, postJson, startApp, type RunningApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { eventually, exists, send } from '../helpers/http';
import { signhostPostback } from '../helpers/signhost';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { readTransaction } from '../helpers/transactions';

const SIGNHOST = { default: 'shs-default-3e8a1c', acme: 'shs-acme-7b2f90' };
const VENDORS = {
  default: { apiKey: 'et-key-default', vendorNumber: 'vendor-default' },
  sofia: { apiKey: 'et-key-sofia', vendorNumber: 'vendor-sofia' },
};

let env: TestWorkflowEnvironment;
let stack: Stack;
let app: RunningApp;
let config: Config;
const evrotrust = {
  default: new EvrotrustSimulator(VENDORS.default),
  sofia: new EvrotrustSimulator(VENDORS.sofia),
};

beforeAll(async () => {
  await Promise.all(Object.values(evrotrust).map((s) => s.start()));
  env = await startDevServerEnv();
  config = testConfig({
    SIGNHOST_SHARED_SECRET: SIGNHOST.default,
    SIGNHOST_ACCOUNTS: 'acme',
    SIGNHOST_ACCOUNT_ACME_SHARED_SECRET: SIGNHOST.acme,
    EVROTRUST_API_URL: evrotrust.default.url,
    EVROTRUST_API_KEY: VENDORS.default.apiKey,
    EVROTRUST_VENDOR_NUMBER: VENDORS.default.vendorNumber,
    EVROTRUST_ACCOUNTS: 'sofia',
    EVROTRUST_ACCOUNT_SOFIA_API_URL: evrotrust.sofia.url,
    EVROTRUST_ACCOUNT_SOFIA_API_KEY: VENDORS.sofia.apiKey,
    EVROTRUST_ACCOUNT_SOFIA_VENDOR_NUMBER: VENDORS.sofia.vendorNumber,
  });
  stack = await startStack(env, config);
  app = stack.app;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
  await Promise.all(Object.values(evrotrust).map((s) => s.close()));
});

async function register(body: Record<string, unknown>): Promise<string> {
  const res = await postJson(`${app.url}/transactions`, body);
  expect(res.status).toBe(201);
  return (res.json as { workflowId: string }).workflowId;
}

function state(workflowId: string): Promise<TransactionState> {
  return readTransaction(`${app.url}/transactions/${workflowId}`);
}

async function postback(path: string, id: string, secret: string, status = 30) {
  return send(app.url, {
    path,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(signhostPostback({ id, status, secret })),
  });
}

const refusedUnauthorized = async () =>
  (await app.metrics.callbacksRefused.get()).values.find(
    (v) => v.labels.provider === 'signhost' && v.labels.reason === 'unauthorized',
  )?.value ?? 0;

describe('two Signhost accounts', () => {
  it("applies each account's postback to its own transaction, by its own route and secret", async () => {
    const mine = uniqueId('sh-default');
    const theirs = uniqueId('sh-acme');
    const defaultId = await register({ provider: 'signhost', externalId: mine });
    const acmeId = await register({ provider: 'signhost', account: 'acme', externalId: theirs });
    expect(defaultId).toBe(`signing:signhost:${mine}`);
    expect(acmeId).toBe(`signing:signhost@acme:${theirs}`);

    expect((await postback('/callbacks/signhost', mine, SIGNHOST.default)).status).toBe(200);
    expect((await postback('/callbacks/signhost/acme', theirs, SIGNHOST.acme, 40)).status).toBe(200);
    await eventually(async () => expect((await state(defaultId)).status).toBe('signed'));
    await eventually(async () => expect((await state(acmeId)).status).toBe('rejected'));
  });

  it("refuses one account's secret on the other's route, and leaves both transactions alone", async () => {
    const mine = uniqueId('sh-default');
    const theirs = uniqueId('sh-acme');
    const defaultId = await register({ provider: 'signhost', externalId: mine });
    const acmeId = await register({ provider: 'signhost', account: 'acme', externalId: theirs });
    const before = await refusedUnauthorized();

    // Answered 200 as Signhost asks, but counted as refused and never signalled.
    expect((await postback('/callbacks/signhost', mine, SIGNHOST.acme)).status).toBe(200);
    expect((await postback('/callbacks/signhost/acme', theirs, SIGNHOST.default)).status).toBe(200);
    expect(await refusedUnauthorized()).toBe(before + 2);
    expect((await state(defaultId)).events).toEqual([]);
    expect((await state(acmeId)).events).toEqual([]);

    // A valid postback of one account about the other's transaction id stays in its own account.
    expect((await postback('/callbacks/signhost/acme', mine, SIGNHOST.acme)).status).toBe(200);
    await eventually(async () => expect((await state(`signing:signhost@acme:${mine}`)).status).toBe('unregistered'));
    expect((await state(defaultId)).events).toEqual([]);
  });
});

it('answers 404 to a path no account serves, and logs it for the operator', async () => {
  const log = capturingLogger('info');
  const quiet = await startApp(config, env.client, log.logger);
  try {
    const res = await send(quiet.url, {
      path: '/callbacks/signhost/acmee',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(signhostPostback({ id: uniqueId('sh'), status: 30, secret: SIGNHOST.acme })),
    });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toEqual({ error: 'no such callback path (unknown account?)' });
    expect(log.text()).toMatch(
      /"provider":"signhost","path":"\/callbacks\/signhost\/acmee".*callback to a path no account serves/,
    );
    expect(log.text()).not.toContain(SIGNHOST.acme);
  } finally {
    await quiet.close();
  }
});

describe('two Evrotrust vendors', () => {
  it('keeps alike-numbered transactions apart: each vendor calls back on its route and confirms with its own credentials', async () => {
    // Evrotrust callbacks prove nothing, so each final waits for its vendor's status API.
    const id = uniqueId('et-same');
    const defaultId = await register({ provider: 'evrotrust', externalId: id });
    const sofiaId = await register({ provider: 'evrotrust', account: 'sofia', externalId: id });
    expect(sofiaId).toBe(`signing:evrotrust@sofia:${id}`);
    evrotrust.default.createTransaction({ transactionID: id, urlCallback: `${app.url}/callbacks/evrotrust` });
    evrotrust.sofia.createTransaction({ transactionID: id, urlCallback: `${app.url}/callbacks/evrotrust/sofia` });

    expect(await evrotrust.default.setStatus(id, 2)).toBe(true);
    expect(await evrotrust.sofia.setStatus(id, 3, { rejectReason: 'no' })).toBe(true);

    const signed = await eventually(async () => {
      const s = await state(defaultId);
      expect(s.status).toBe('signed');
      return s;
    });
    const rejected = await eventually(async () => {
      const s = await state(sofiaId);
      expect(s.status).toBe('rejected');
      return s;
    });
    // Each confirmed by its own vendor's API: the other vendor's key would have been refused.
    expect(signed.finalEstablishedBy).toBe('provider-api');
    expect(rejected.finalEstablishedBy).toBe('provider-api');
  });

  it('refuses a registration naming an account nobody configured', async () => {
    const res = await postJson(`${app.url}/transactions`, {
      provider: 'evrotrust',
      account: 'plovdiv',
      externalId: uniqueId('et'),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toMatch(
      /account: evrotrust has no account plovdiv \(configured: default, sofia\)/,
    );
    expect(await exists(env.client, 'signing:evrotrust@plovdiv:x')).toBe(false);
  });

  it('lists the account of each transaction', async () => {
    const id = uniqueId('et-list');
    await register({ provider: 'evrotrust', account: 'sofia', externalId: id });
    const listed = await eventually(async () => {
      const res = await fetch(`${app.url}/transactions?provider=evrotrust&limit=100`);
      const page = (await res.json()) as { transactions: Array<{ workflowId: string; account?: string }> };
      const item = page.transactions.find((t) => t.workflowId === `signing:evrotrust@sofia:${id}`);
      if (!item) throw new Error('not listed yet');
      return item;
    });
    expect(listed.account).toBe('sofia');
    // What docs/accounts.md gives operators to list one account's transactions in the Web UI.
    const ids: string[] = [];
    for await (const wf of env.client.workflow.list({ query: 'WorkflowId STARTS_WITH "signing:evrotrust@sofia:"' }))
      ids.push(wf.workflowId);
    expect(ids).toContain(`signing:evrotrust@sofia:${id}`);
    expect(ids.every((w) => w.startsWith('signing:evrotrust@sofia:'))).toBe(true);
  });
});
