// Attacks 4 and 6: a replayed Signhost postback stuffed with forged activities, and a spoofed
// X-Forwarded-For sent straight to a port meant to sit behind a proxy. Real Temporal, worker
// and HTTP over loopback.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TransactionState } from '../../src/common/types';
import { postJson, startApp, type RunningApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { signhostPostback } from '../helpers/signhost';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';

const SECRET = 'signhost-shared-secret';
const PROVIDER_ADDRESS = '203.0.113.10';
const taskQueue = `security-${uniqueId()}`;
const common = {
  SIGNHOST_SHARED_SECRET: SECRET,
  SIGNHOST_MAX_ACTIVITIES_PER_POSTBACK: '20',
  EVROTRUST_ALLOWED_IPS: PROVIDER_ADDRESS,
  TRUST_PROXY_HOPS: '1',
};

let env: TestWorkflowEnvironment;
let stack: Stack;
/** Behind a proxy at 192.0.2.1: this test's own socket (127.0.0.1) is a direct sender. */
let direct: RunningApp;

beforeAll(async () => {
  env = await startDevServerEnv();
  // The stack's app trusts the default proxy (loopback): the test plays the proxy there.
  stack = await startStack(env, testConfig(common, taskQueue));
  direct = await startApp(testConfig({ ...common, TRUSTED_PROXIES: '192.0.2.1' }, taskQueue), env.client);
}, 120_000);

afterAll(async () => {
  await direct?.close();
  await stack?.stop();
  await env?.teardown();
});

async function state(workflowId: string): Promise<TransactionState> {
  const res = await fetch(`${stack.app.url}/transactions/${workflowId}`);
  expect(res.status).toBe(200);
  return (await res.json()) as TransactionState;
}

describe('a spoofed X-Forwarded-For on a directly reachable port', () => {
  it('does not pass the sender allowlist', async () => {
    const id = uniqueId();
    expect((await postJson(`${stack.app.url}/transactions`, { provider: 'evrotrust', externalId: id })).status).toBe(
      201,
    );
    const forged = await postJson(
      `${direct.url}/callbacks/evrotrust/document/ready`,
      { transactionID: id, status: 3 },
      { 'x-forwarded-for': PROVIDER_ADDRESS },
    );
    expect(forged.status).toBe(403);
    expect((await state(`signing:evrotrust:${id}`)).status).toBe('pending');
  });

  it('is believed from a configured proxy (the control)', async () => {
    const id = uniqueId();
    expect((await postJson(`${stack.app.url}/transactions`, { provider: 'evrotrust', externalId: id })).status).toBe(
      201,
    );
    const viaProxy = await postJson(
      `${stack.app.url}/callbacks/evrotrust/document/ready`,
      { transactionID: id, status: 2 },
      { 'x-forwarded-for': PROVIDER_ADDRESS },
    );
    expect(viaProxy.status).toBe(200);
    const outsider = await postJson(
      `${stack.app.url}/callbacks/evrotrust/document/ready`,
      { transactionID: id, status: 3 },
      { 'x-forwarded-for': '198.51.100.7' },
    );
    expect(outsider.status).toBe(403);
    expect((await state(`signing:evrotrust:${id}`)).status).toBe('signed');
  });
});

describe('a captured Signhost postback replayed with forged activities', () => {
  it('still counts its status but records no more activities than the cap', async () => {
    const id = uniqueId();
    expect((await postJson(`${stack.app.url}/transactions`, { provider: 'signhost', externalId: id })).status).toBe(
      201,
    );
    const captured = signhostPostback({ id, status: 30, secret: SECRET });
    const forged = Array.from({ length: 300 }, (_, i) => ({
      Id: `forged-${i}`,
      Code: 203,
      Activity: 'Signed',
      CreatedDateTime: '2026-01-01T00:00:00Z',
    }));
    const [john, jane] = captured.Signers;
    const replay = { ...captured, Signers: [{ ...john, Activities: [...john.Activities, ...forged] }, jane] };
    expect((await postJson(`${stack.app.url}/callbacks/signhost`, replay)).status).toBe(200);
    const s = await state(`signing:signhost:${id}`);
    expect(s.status).toBe('signed');
    const activities = s.events.filter((e) => e.key.startsWith('activity:'));
    expect(activities).toHaveLength(20);
    // The newest kept: the last forged entries and Jane's, never the whole 300.
    expect(activities.map((e) => e.key)).toContain(`activity:${jane.Activities[0].Id}`);
  });
});
