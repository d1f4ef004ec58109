// Structured logs and metrics over a full flow: application API calls (good and bad tokens),
// callbacks accepted, refused, authenticated and late. Every log line is captured; none may
// hold a secret or personal data. Real dev server, real worker, real HTTP on loopback.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { capturingLogger, postJson } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { signhostPostback } from '../helpers/signhost';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';

const API_TOKEN = 'api-token-7f3a9c1e5b';
const WRONG_TOKEN = 'wrong-token-0d2e4f6a8c';
const SHARED_SECRET = 'signhost-shared-secret-91b7';
const POSTBACK_AUTH = 'signhost-postback-auth-44c2';
const PORTAL_HEADER_VALUE = 'portal-callback-token-5e1d';
const SIGNICAT_AUTH = 'signicat-callback-auth-3a8f';
const PERSONAL = [
  'Maria Souza',
  'maria.souza@example.com',
  '307.625.739-02',
  '30762573902',
  'John Doe',
  'john.doe@example.com',
  'Jane Roe',
  '+31612345678',
];

let env: TestWorkflowEnvironment;
let stack: Stack;
const logs = capturingLogger('debug');
const config = testConfig({
  COUNTERSIGN_API_TOKEN: API_TOKEN,
  SIGNHOST_SHARED_SECRET: SHARED_SECRET,
  SIGNHOST_POSTBACK_AUTHORIZATION: POSTBACK_AUTH,
  PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: `X-Callback-Token: ${PORTAL_HEADER_VALUE}`,
  SIGNICAT_CALLBACK_AUTHORIZATION: SIGNICAT_AUTH,
  LINGER_AFTER_FINAL: '2s',
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const url = (path: string) => `${stack.app.url}${path}`;
const requestIds: string[] = [];
const checksums: string[] = [];

type Line = Record<string, unknown> & { msg: string; level: number };
const lines = (): Line[] =>
  logs
    .text()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

beforeAll(async () => {
  env = await startDevServerEnv();
  stack = await startStack(env, config, undefined, logs.logger);

  // The application registers, with its token and a reference holding personal data.
  const evrotrustId = uniqueId('ev');
  const registered = await fetch(url('/transactions'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(API_TOKEN) },
    body: JSON.stringify({
      provider: 'evrotrust',
      externalId: evrotrustId,
      reference: 'contract for Maria Souza <maria.souza@example.com>',
    }),
  });
  expect(registered.status).toBe(201);
  requestIds.push(registered.headers.get('x-request-id') ?? 'missing');
  expect(
    (await postJson(url('/transactions'), { provider: 'evrotrust', externalId: 'x' }, bearer(WRONG_TOKEN))).status,
  ).toBe(401);
  expect(
    (await fetch(url(`/transactions/signing:evrotrust:${evrotrustId}`), { headers: bearer(API_TOKEN) })).status,
  ).toBe(200);
  // A path that is no workflow id (an e-mail address) is answered, and not logged.
  expect((await fetch(url('/transactions/maria.souza@example.com'), { headers: bearer(API_TOKEN) })).status).toBe(404);

  // Evrotrust: a rejection whose reason names the signer, then a payload full of personal data.
  const rejected = { transactionID: evrotrustId, status: 3, rejectReason: 'Maria Souza (CPF 307.625.739-02) refused' };
  expect((await postJson(url('/callbacks/evrotrust'), rejected)).status).toBe(200);
  const bad = {
    transactionID: evrotrustId,
    status: 'maria.souza@example.com',
    name: 'Maria Souza',
    cpf: '30762573902',
  };
  expect((await postJson(url('/callbacks/evrotrust'), bad)).status).toBe(400);

  // Signhost: an authenticated postback about a transaction nobody registered (may create),
  // and one whose checksum was made with the wrong secret (refused; Signhost still gets 200).
  const signhostId = uniqueId('sh');
  const good = signhostPostback({ id: signhostId, status: 20, secret: SHARED_SECRET });
  expect((await postJson(url('/callbacks/signhost'), good, { authorization: POSTBACK_AUTH })).status).toBe(200);
  const forged = signhostPostback({ id: uniqueId('sh'), status: 30, secret: 'not-the-secret' });
  checksums.push(good.Checksum ?? 'missing', forged.Checksum ?? 'missing');
  expect((await postJson(url('/callbacks/signhost'), forged, { authorization: POSTBACK_AUTH })).status).toBe(200);
  expect((await postJson(url('/callbacks/signhost'), good, { authorization: 'Bearer nope' })).status).toBe(200);

  // Signicat: its authorization header right, then wrong (401); Portal: its header wrong (401).
  const signicat = { dossierId: uniqueId('dos'), processId: uniqueId('proc'), status: 'processing' };
  expect((await postJson(url('/callbacks/signicat'), signicat, { authorization: SIGNICAT_AUTH })).status).toBe(200);
  expect((await postJson(url('/callbacks/signicat'), signicat, { authorization: `${SIGNICAT_AUTH}x` })).status).toBe(
    401,
  );
  const portal = {
    documentId: uniqueId('doc'),
    action: 'SIGNATURE-DIGITAL',
    name: 'Maria Souza',
    identifier: '307.625.739-02',
  };
  expect(
    (await postJson(url('/callbacks/portal-de-assinaturas'), portal, { 'X-Callback-Token': `${PORTAL_HEADER_VALUE}x` }))
      .status,
  ).toBe(401);

  // Late: a callback after the transaction's workflow closed.
  const lateId = uniqueId('late');
  await postJson(url('/transactions'), { provider: 'evrotrust', externalId: lateId }, bearer(API_TOKEN));
  expect((await postJson(url('/callbacks/evrotrust'), { transactionID: lateId, status: 2 })).status).toBe(200);
  await env.client.workflow.getHandle(`signing:evrotrust:${lateId}`).result();
  expect((await postJson(url('/callbacks/evrotrust'), { transactionID: lateId, status: 4 })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

describe('logs', () => {
  it('are one JSON object per line, from the countersign service', () => {
    const all = lines();
    expect(all.length).toBeGreaterThan(10);
    for (const line of all)
      expect(line).toMatchObject({
        service: 'countersign',
        level: expect.any(Number),
        time: expect.any(Number),
        msg: expect.any(String),
      });
  });

  it('never hold a secret: tokens, shared secrets, authorization values, checksums', () => {
    const text = logs.text();
    expect(checksums.every((c) => /^[0-9a-f]{40}$/.test(c))).toBe(true);
    for (const secret of [
      API_TOKEN,
      WRONG_TOKEN,
      SHARED_SECRET,
      POSTBACK_AUTH,
      PORTAL_HEADER_VALUE,
      SIGNICAT_AUTH,
      'Bearer ',
      ...checksums,
    ]) {
      expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
    }
  });

  it('never hold personal data: names, e-mail addresses, CPF, phone numbers, reasons', () => {
    const text = logs.text();
    for (const value of [...PERSONAL, 'contract for']) {
      expect({ value, found: text.includes(value) }).toEqual({ value, found: false });
    }
  });

  it('log every application API request with its request id, route pattern and status', () => {
    const api = lines().filter((l) => l.msg === 'api request');
    const seen = api.map((l) => `${String(l.method)} ${String(l.route)} ${String(l.status)}`);
    expect(seen).toEqual(
      expect.arrayContaining([
        'POST /transactions 201',
        'POST /transactions/* 401',
        'GET /transactions/:workflowId 200',
        'GET /transactions/:workflowId 404',
      ]),
    );
    for (const l of api) expect(l.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // The id sent back in X-Request-Id is the one in the log.
    expect(api.find((l) => l.requestId === requestIds[0])).toMatchObject({
      route: '/transactions',
      status: 201,
      workflowId: expect.stringMatching(/^signing:evrotrust:/),
    });
    // Only well-formed workflow ids are logged from the path.
    expect(api.filter((l) => l.status === 404).every((l) => l.workflowId === undefined)).toBe(true);
    // The register line carries the same request id.
    expect(lines().find((l) => l.msg === 'transaction registered' && l.requestId === requestIds[0])).toBeDefined();
  });

  it('give each callback a request id and, once it is known, the workflow id', () => {
    const callbacks = lines().filter((l) => typeof l.msg === 'string' && /^(callback|late callback)/.test(l.msg));
    expect(callbacks.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['callback accepted', 'callback refused', 'late callback recorded']),
    );
    const ids = new Set(callbacks.map((l) => l.requestId));
    expect(ids.size).toBe(callbacks.length);
    for (const l of callbacks) expect(l.requestId).toMatch(/^[0-9a-f-]{36}$/);
    for (const l of callbacks.filter((c) => c.msg !== 'callback refused' || c.reason === 'unknown-transaction')) {
      expect(l.workflowId).toMatch(/^signing:(evrotrust|signhost|signicat):/);
    }
    expect(callbacks.filter((l) => l.msg === 'callback refused').map((l) => l.reason)).toEqual(
      expect.arrayContaining(['invalid-payload', 'unauthorized']),
    );
  });
});

describe('metrics', () => {
  // With a token configured, /metrics wants it like the rest of the API.
  const scrape = async () =>
    (await fetch(url('/metrics'), { headers: { authorization: `Bearer ${API_TOKEN}` } })).text();
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('count late callbacks and the authenticated ones that may start an unregistered transaction', async () => {
    const text = await scrape();
    expect(value(text, 'countersign_callbacks_late_total{provider="evrotrust"}')).toBe(1);
    expect(value(text, 'countersign_callbacks_may_create_total{provider="signhost"}')).toBe(1);
    expect(value(text, 'countersign_callbacks_may_create_total{provider="signicat"}')).toBe(1);
    expect(value(text, 'countersign_callbacks_may_create_total{provider="evrotrust"}')).toBeUndefined();
    expect(value(text, 'countersign_callbacks_accepted_total{provider="evrotrust",delivery="late"}')).toBe(1);
    expect(value(text, 'countersign_callbacks_refused_total{provider="signhost",reason="unauthorized"}')).toBe(2);
  });

  it('time application API requests by route and status, never by id', async () => {
    const text = await scrape();
    expect(value(text, 'countersign_api_request_seconds_count{method="POST",route="/transactions",status="201"}')).toBe(
      2,
    );
    expect(
      value(text, 'countersign_api_request_seconds_count{method="GET",route="/transactions/:workflowId",status="404"}'),
    ).toBe(1);
    expect(text).not.toMatch(/signing:evrotrust:ev-/);
    for (const p of PERSONAL) expect(text).not.toContain(p);
  });

  it('answer in the Prometheus text format with the callback latency histogram', async () => {
    const res = await fetch(url('/metrics'), { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(
      /countersign_callback_answer_seconds_bucket\{le="0\.5",provider="evrotrust",status="200"\} \d+/,
    );
    expect(text).toContain('# TYPE countersign_follow_ups_total counter');
  });
});
