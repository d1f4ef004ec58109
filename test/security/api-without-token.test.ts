// Attack 2 (and /metrics from attack 7): with no COUNTERSIGN_API_TOKEN, a reverse proxy on the
// same host made every remote caller 127.0.0.1, and a DNS-rebound browser reached the API
// under the attacker's Host. Real app, real Temporal, real HTTP over loopback.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startApp, type RunningApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { plainRequest } from '../helpers/raw-http';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { postRegistration } from '../helpers/transactions';

let env: TestWorkflowEnvironment;
let open: RunningApp;
let withToken: RunningApp;
const TOKEN = 'a-long-random-api-token';

beforeAll(async () => {
  env = await startDevServerEnv();
  open = await startApp(testConfig(), env.client);
  withToken = await startApp(testConfig({ COUNTERSIGN_API_TOKEN: TOKEN }), env.client);
}, 120_000);

afterAll(async () => {
  await open?.close();
  await withToken?.close();
  await env?.teardown();
});

const transaction = () => ({
  provider: 'evrotrust',
  externalId: uniqueId(),
  reference: 'r',
  steps: { onSigned: ['notifyApplication'] },
});

describe('without a token', () => {
  it('lets a direct local caller register (the control)', async () => {
    expect((await postRegistration(open.url, transaction())).status).toBe(201);
  });

  it.each([
    ['X-Forwarded-For', { 'x-forwarded-for': '198.51.100.7' }],
    ['Forwarded', { forwarded: 'for=198.51.100.7;proto=https' }],
    ['X-Forwarded-Host', { 'x-forwarded-host': 'countersign.example' }],
    ['X-Forwarded-Proto', { 'x-forwarded-proto': 'https' }],
    ['X-Real-IP', { 'x-real-ip': '198.51.100.7' }],
  ])('refuses a request a proxy forwarded (%s)', async (_name, headers) => {
    const res = await postRegistration(open.url, transaction(), headers);
    expect(res.status).toBe(403);
    expect(res.text).toMatch(/COUNTERSIGN_API_TOKEN/);
    expect((await plainRequest(`${open.url}/transactions/signing:evrotrust:x`, { headers })).status).toBe(403);
  });

  it('refuses a Host that does not name this machine (DNS rebinding)', async () => {
    expect((await postRegistration(open.url, transaction(), { host: 'attacker.example' })).status).toBe(403);
    expect((await postRegistration(open.url, transaction(), { host: 'attacker.example:3000' })).status).toBe(403);
    expect((await postRegistration(open.url, transaction(), { host: 'localhost:3000' })).status).toBe(201);
  });

  it('serves /metrics only to a direct local caller', async () => {
    expect((await plainRequest(`${open.url}/metrics`)).status).toBe(200);
    expect((await plainRequest(`${open.url}/metrics`, { headers: { 'x-forwarded-for': '198.51.100.7' } })).status).toBe(
      403,
    );
    expect((await plainRequest(`${open.url}/metrics`, { headers: { host: 'attacker.example' } })).status).toBe(403);
  });
});

describe('with a token', () => {
  it('requires it for /metrics as for the API, behind a proxy or not', async () => {
    expect((await plainRequest(`${withToken.url}/metrics`)).status).toBe(401);
    const ok = await plainRequest(`${withToken.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': '198.51.100.7' },
    });
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/countersign_/);
    expect(
      (
        await postRegistration(withToken.url, transaction(), {
          authorization: `Bearer ${TOKEN}`,
          'x-forwarded-for': '198.51.100.7',
        })
      ).status,
    ).toBe(201);
  });

  it('leaves the health endpoints open for probes', async () => {
    expect((await plainRequest(`${withToken.url}/healthz`, { headers: { host: 'lb.internal' } })).status).toBe(200);
  });
});
