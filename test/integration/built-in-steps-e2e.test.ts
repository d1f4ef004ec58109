// Both built-in steps end to end: real dev server, real worker and receivers, and on loopback
// a fake Portal de Assinaturas and Signhost serving the signed files and the application's
// notification endpoint, which checks each signature with its own code and with the official
// Standard Webhooks library.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Webhook } from 'standardwebhooks';
import type { TransactionState } from '../../src/common/types';
import { postJson } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { pdfBytes, startRecordingServer, type Recorded, type RecordingServer } from '../helpers/http-server';
import { signhostPostback } from '../helpers/signhost';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { registerViaApi } from '../helpers/transactions';

const KEY = randomBytes(32);
const PORTAL_HEADER = { 'X-Callback-Token': 'portal-callback-secret' };
const SIGNHOST_SECRET = 'signhost-shared-secret';
const SIGNED_PDF = pdfBytes('signed by everyone');

let env: TestWorkflowEnvironment;
let stack: Stack;
let portal: RecordingServer;
let signhost: RecordingServer;
let app: RecordingServer; // the application's notification endpoint
let dir: string;
/** How the application answers, per workflow: default 204. */
const answers = new Map<string, number[]>();

beforeAll(async () => {
  [portal, signhost, app] = await Promise.all([startRecordingServer(), startRecordingServer(), startRecordingServer()]);
  dir = await mkdtemp(join(tmpdir(), 'countersign-e2e-docs-'));
  portal.handle((req, res) => {
    if (req.headers.token !== 'portal-token' || !/^\/api\/v2\/document\/package\?key=/i.test(req.url))
      return void res.writeHead(401).end();
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ fileName: 'contract.pdf', bytes: SIGNED_PDF.toString('base64') }));
  });
  signhost.handle((req, res) => {
    if (req.headers.application !== 'APPKey sh-app' || req.headers.authorization !== 'APIKey sh-user')
      return void res.writeHead(401).end();
    // The files to fetch come from the transaction (the postback's Files are not checksummed).
    const tx = /^\/api\/transaction\/([^/]+)$/.exec(req.url);
    if (tx)
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ Id: tx[1], Status: 30, Files: { 'contract.pdf': {} } }));
    if (!/^\/api\/transaction\/[^/]+\/file\/contract\.pdf$/.test(req.url)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/pdf' }).end(SIGNED_PDF);
  });
  app.handle((req, res) => {
    const { workflowId } = JSON.parse(req.body) as { workflowId: string };
    res.writeHead(answers.get(workflowId)?.shift() ?? 204).end();
  });

  env = await startDevServerEnv();
  const config = testConfig({
    PORTAL_DE_ASSINATURAS_API_URL: `${portal.url}/api/v2`,
    PORTAL_DE_ASSINATURAS_TOKEN: 'portal-token',
    PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: 'X-Callback-Token: portal-callback-secret',
    SIGNHOST_API_URL: `${signhost.url}/api`,
    SIGNHOST_APP_KEY: 'sh-app',
    SIGNHOST_API_KEY: 'sh-user',
    SIGNHOST_SHARED_SECRET: SIGNHOST_SECRET,
    COUNTERSIGN_NOTIFY_URL: `${app.url}/webhooks/signatures`,
    COUNTERSIGN_NOTIFY_SECRET: `whsec_${KEY.toString('base64')}`,
    COUNTERSIGN_DOCUMENTS_DIR: dir,
    POST_SIGNING_STEPS: JSON.stringify({
      default: { onSigned: ['downloadSignedDocument', 'notifyApplication'], onRejected: ['notifyApplication'] },
    }),
    LINGER_AFTER_FINAL: '1s',
  });
  stack = await startStack(env, config);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
  await Promise.all([portal, signhost, app].map((s) => s?.close()));
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The application's own check of a notification (Standard Webhooks, written from the spec). */
function verified(req: Recorded) {
  const id = String(req.headers['webhook-id']);
  const timestamp = String(req.headers['webhook-timestamp']);
  const expected = `v1,${createHmac('sha256', KEY).update(`${id}.${timestamp}.${req.body}`).digest('base64')}`;
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  const mine = String(req.headers['webhook-signature']).split(' ').includes(expected) && fresh;
  // And what an application using the official library would conclude (it throws on a bad one).
  const signature = String(req.headers['webhook-signature']);
  const library = new Webhook(`whsec_${KEY.toString('base64')}`).verify(req.body, {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signature,
  });
  return { id, valid: mine && library !== undefined, body: JSON.parse(req.body) as Record<string, unknown> };
}

const notificationsFor = (workflowId: string) =>
  app.requests.filter((r) => (JSON.parse(r.body) as { workflowId: string }).workflowId === workflowId);

const transaction = (provider: string, externalId: string) => ({
  provider,
  externalId,
  reference: `order-${externalId}`,
});

async function finished(workflowId: string): Promise<TransactionState> {
  return (await env.client.workflow.getHandle(workflowId).result()) as TransactionState;
}

const portalDoc = (id: string, action: string) => ({
  documentId: id,
  name: 'João da Silva',
  identifier: '307.625.739-02',
  action,
  message: '',
  apiDownload: `${portal.url}/api/v2/document/Package?key=4B4659AB34847973&includeOriginal;=false`,
});

it('Portal de Assinaturas: a signed document is downloaded into the storage folder and the application is notified', async () => {
  const id = String(Date.now());
  const workflowId = await registerViaApi(stack.app.url, transaction('portal-de-assinaturas', id));
  for (const action of ['SIGNATURE-DIGITAL', 'FLOW']) {
    expect(
      (await postJson(`${stack.app.url}/callbacks/portal-de-assinaturas`, portalDoc(id, action), PORTAL_HEADER)).status,
    ).toBe(200);
  }
  const state = await finished(workflowId);

  const path = join(dir, 'portal-de-assinaturas', id, 'contract.pdf');
  expect(state.steps).toEqual([
    expect.objectContaining({
      name: 'downloadSignedDocument',
      status: 'completed',
      result: { files: [{ path, bytes: SIGNED_PDF.length, sha256: sha256(SIGNED_PDF) }] },
    }),
    expect.objectContaining({ name: 'notifyApplication', status: 'completed' }),
  ]);
  expect(await readFile(path)).toEqual(SIGNED_PDF);
  expect(portal.requests.filter((r) => r.url.includes('4B4659AB34847973'))).not.toHaveLength(0);

  const sent = notificationsFor(workflowId);
  expect(sent).toHaveLength(1);
  const n = verified(sent[0]);
  expect(n.valid).toBe(true);
  expect(n.body).toEqual({
    workflowId,
    provider: 'portal-de-assinaturas',
    kind: 'signing',
    externalId: id,
    status: 'signed',
    providerStatus: 'FLOW',
    reference: `order-${id}`,
    updatedAt: state.updatedAt,
  });
  expect(sent[0].body).not.toMatch(/João|307\.625/);
});

it('Signhost: the signed file the API lists is downloaded with the API keys, then the application is notified', async () => {
  const id = `${randomBytes(4).toString('hex')}-af78-4e79-a39e-5b64693b6b68`;
  const workflowId = await registerViaApi(stack.app.url, transaction('signhost', id));
  const res = await postJson(
    `${stack.app.url}/callbacks/signhost`,
    signhostPostback({ id, status: 30, secret: SIGNHOST_SECRET }),
  );
  expect(res.status).toBe(200);
  const state = await finished(workflowId);

  const path = join(dir, 'signhost', id, 'contract.pdf');
  expect(state.status).toBe('signed');
  expect(state.steps?.map((s) => [s.name, s.status])).toEqual([
    ['downloadSignedDocument', 'completed'],
    ['notifyApplication', 'completed'],
  ]);
  expect(await readFile(path)).toEqual(SIGNED_PDF);
  expect(signhost.requests.map((r) => r.url)).toContain(`/api/transaction/${id}/file/contract.pdf`);
  const [n] = notificationsFor(workflowId).map(verified);
  expect(n).toMatchObject({ valid: true, body: { status: 'signed', providerStatus: '30', provider: 'signhost' } });
});

it('a notification the application fails is retried with the same webhook-id; one it refuses is a failed step, not retried', async () => {
  const retriedId = uniqueId('doc');
  const refusedId = uniqueId('doc');
  const retried = await registerViaApi(stack.app.url, transaction('portal-de-assinaturas', retriedId));
  const refused = await registerViaApi(stack.app.url, transaction('portal-de-assinaturas', refusedId));
  answers.set(retried, [503]);
  answers.set(refused, [400]);
  const reject = (id: string) =>
    postJson(
      `${stack.app.url}/callbacks/portal-de-assinaturas`,
      { ...portalDoc(id, 'SIGNATURE-NOK'), message: 'wrong amount' },
      PORTAL_HEADER,
    );
  expect((await reject(retriedId)).status).toBe(200);
  expect((await reject(refusedId)).status).toBe(200);

  const [retriedState, refusedState] = await Promise.all([finished(retried), finished(refused)]);
  expect(retriedState.steps).toEqual([expect.objectContaining({ name: 'notifyApplication', status: 'completed' })]);
  const attempts = notificationsFor(retried).map(verified);
  expect(attempts).toHaveLength(2);
  expect(attempts.every((a) => a.valid && a.body.status === 'rejected')).toBe(true);
  expect(attempts[1].id).toBe(attempts[0].id);

  expect(refusedState.steps).toEqual([
    expect.objectContaining({
      name: 'notifyApplication',
      status: 'failed',
      error: 'RequestRejected: the application (COUNTERSIGN_NOTIFY_URL) answered HTTP 400',
    }),
  ]);
  expect(notificationsFor(refused)).toHaveLength(1);
});
