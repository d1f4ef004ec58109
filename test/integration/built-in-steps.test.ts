// The built-in post-signing steps as activities, against real HTTP servers on loopback: a
// fake Portal de Assinaturas and Signhost serving files, and a receiver that checks the
// notification's signature on its own (node:crypto here, not Countersign's code).
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { createStepActivities, STEP_FAILURE, type StepDeps } from '../../src/activities/steps';
import type { StepInput, TransactionState } from '../../src/common/types';
import { pdfBytes, startRecordingServer, type Recorded, type RecordingServer } from '../helpers/http-server';
import { endedState } from '../helpers/transactions';
import { documentFetchers } from '../helpers/documents';

const TOKEN = 'portal-api-token';
const APP_KEY = 'signhost-app-key';
const API_KEY = 'signhost-user-token';
const SECRET_BYTES = randomBytes(32);
const WHSEC = `whsec_${SECRET_BYTES.toString('base64')}`;

let portal: RecordingServer;
let signhost: RecordingServer;
let elsewhere: RecordingServer;
let receiver: RecordingServer;
let dir: string;

beforeAll(async () => {
  [portal, signhost, elsewhere, receiver] = await Promise.all([
    startRecordingServer(),
    startRecordingServer(),
    startRecordingServer(),
    startRecordingServer(),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'countersign-docs-'));
});
afterAll(async () => {
  await Promise.all([portal, signhost, elsewhere, receiver].map((s) => s?.close()));
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  for (const s of [portal, signhost, elsewhere, receiver]) s.requests.length = 0;
});

function steps(over: { notify?: StepDeps['notify']; download?: Partial<StepDeps['download']> } = {}) {
  return createStepActivities({
    download: {
      documentsDir: dir,
      fetchers: documentFetchers({
        portal: { apiUrl: `${portal.url}/api/v2`, token: TOKEN },
        signhost: { apiUrl: `${signhost.url}/api`, appKey: APP_KEY, apiKey: API_KEY },
      }),
      ...over.download,
    },
    notify: over.notify ?? { url: `${receiver.url}/hooks/countersign?tenant=7`, secret: WHSEC },
  });
}

/** Runs a step in an activity context (Context.current() works, as under a worker). */
function runStep<R>(fn: (i: StepInput) => Promise<R>, i: StepInput): Promise<R> {
  return new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run<[StepInput], R, typeof fn>(
    fn,
    i,
  );
}
const input = (transaction: TransactionState, step: string): StepInput => ({ step, transaction });

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(err)}`);
  return err;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** What Portal de Assinaturas' callbacks leave in the state: apiDownload on each action. */
function portalState(id: string, apiDownload: string, over: Partial<TransactionState> = {}) {
  return endedState(
    'portal-de-assinaturas',
    id,
    [
      {
        key: 'SIGNATURE-DIGITAL:abc',
        type: 'signerAction',
        details: { name: 'João da Silva', identifier: '307.625.739-02', apiDownload: `${apiDownload}&stale=1` },
      },
      { key: 'FLOW', type: 'signed', status: 'signed', details: { name: 'João da Silva', apiDownload } },
    ],
    over,
  );
}

describe('downloadSignedDocument: Portal de Assinaturas', () => {
  it('fetches the document the FLOW event’s apiDownload names with the Token header and stores the JSON answer’s base64 bytes', async () => {
    const pdf = pdfBytes('portal json');
    portal.handle((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ fileName: 'contrato assinado.pdf', bytes: pdf.toString('base64') })),
    );
    const link = `${portal.url}/api/v2/document/Package?key=4B4659AB34847973&includeOriginal=false`;

    const result = await runStep(
      steps().downloadSignedDocument,
      input(portalState('1001', link), 'downloadSignedDocument'),
    );

    expect(portal.requests).toHaveLength(1);
    expect(portal.requests[0]).toMatchObject({ method: 'GET', url: '/api/v2/document/package?key=4B4659AB34847973' });
    expect(portal.requests[0].headers.token).toBe(TOKEN);
    const expectedPath = join(dir, 'portal-de-assinaturas', '1001', 'contrato_assinado.pdf');
    expect(result).toEqual({ files: [{ path: expectedPath, bytes: pdf.length, sha256: sha256(pdf) }] });
    expect(await readFile(expectedPath)).toEqual(pdf);
    expect((await readdir(join(dir, 'portal-de-assinaturas', '1001'))).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('stores a raw PDF answer as it came', async () => {
    const pdf = pdfBytes('portal raw');
    portal.handle((_req, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdf));
    const result = await runStep(
      steps().downloadSignedDocument,
      input(
        portalState('1002', `${portal.url}/api/v2/document/package?key=AAAABBBBCCCCDDDD`),
        'downloadSignedDocument',
      ),
    );
    expect(result.files).toEqual([
      { path: join(dir, 'portal-de-assinaturas', '1002', 'signed.pdf'), bytes: pdf.length, sha256: sha256(pdf) },
    ]);
    expect(await readFile(result.files[0].path)).toEqual(pdf);
  });

  it('reads the key of the documentation sample’s link (`includeOriginal;=false`)', async () => {
    portal.handle((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ bytes: pdfBytes('seed').toString('base64') })),
    );
    await runStep(
      steps().downloadSignedDocument,
      input(
        portalState('1003', `${portal.url}/api/v2/document/Package?key=4B4659AB34847973&includeOriginal;=false`),
        'downloadSignedDocument',
      ),
    );
    expect(portal.requests.map((r) => r.url)).toEqual(['/api/v2/document/package?key=4B4659AB34847973']);
  });

  it('never sends the token to a host other than the configured API: a foreign link is reduced to its key', async () => {
    const pdf = pdfBytes('foreign');
    portal.handle((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes: pdf.toString('base64') })),
    );
    const result = await runStep(
      steps().downloadSignedDocument,
      input(
        portalState('1004', `${elsewhere.url}/api/v2/document/Package?key=4B4659AB34847973`),
        'downloadSignedDocument',
      ),
    );
    expect(elsewhere.requests).toEqual([]);
    expect(portal.requests.map((r) => r.url)).toEqual(['/api/v2/document/package?key=4B4659AB34847973']);
    expect(result.files[0].sha256).toBe(sha256(pdf));
  });

  it('follows a redirect to another host without the token', async () => {
    const pdf = pdfBytes('redirected');
    elsewhere.handle((_req, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdf));
    portal.handle((_req, res) => res.writeHead(302, { location: `${elsewhere.url}/blob/signed.pdf?sig=x` }).end());
    const result = await runStep(
      steps().downloadSignedDocument,
      input(
        portalState('1005', `${portal.url}/api/v2/document/package?key=4B4659AB34847973`),
        'downloadSignedDocument',
      ),
    );
    expect(elsewhere.requests).toHaveLength(1);
    expect(elsewhere.requests[0].headers.token).toBeUndefined();
    expect(result.files[0].sha256).toBe(sha256(pdf));
  });

  it('keeps every path inside the storage folder, whatever the ids and names', async () => {
    portal.handle((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ fileName: '../../../etc/passwd', bytes: pdfBytes('x').toString('base64') })),
    );
    const result = await runStep(
      steps().downloadSignedDocument,
      input(
        portalState('../../escape', `${portal.url}/api/v2/document/package?key=4B4659AB34847973`),
        'downloadSignedDocument',
      ),
    );
    const written = resolve(result.files[0].path);
    expect(written.startsWith(resolve(dir, 'portal-de-assinaturas') + '/')).toBe(true);
    expect(written).toMatch(
      new RegExp(
        `^${resolve(dir, 'portal-de-assinaturas')}/__\\.\\._escape~[0-9a-f]{16}/__\\.\\._\\.\\._etc_passwd\\.pdf$`,
      ),
    );
  });

  it('overwrites the file on a second run (a retried step) instead of failing', async () => {
    const link = `${portal.url}/api/v2/document/package?key=4B4659AB34847973`;
    for (const label of ['first', 'second']) {
      portal.handle((_req, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdfBytes(label)));
      await runStep(steps().downloadSignedDocument, input(portalState('1006', link), 'downloadSignedDocument'));
    }
    expect(await readFile(join(dir, 'portal-de-assinaturas', '1006', 'signed.pdf'))).toEqual(pdfBytes('second'));
    expect(await readdir(join(dir, 'portal-de-assinaturas', '1006'))).toEqual(['signed.pdf']);
  });

  it.each([
    [500, STEP_FAILURE.unavailable, false],
    [429, STEP_FAILURE.unavailable, false],
    [404, STEP_FAILURE.rejected, true],
    [401, STEP_FAILURE.rejected, true],
  ])('an HTTP %i answer is a %s failure (non-retryable: %s)', async (status, type, permanent) => {
    portal.handle((_req, res) => res.writeHead(status).end());
    const err = await failure(
      runStep(
        steps().downloadSignedDocument,
        input(
          portalState('1010', `${portal.url}/api/v2/document/package?key=4B4659AB34847973`),
          'downloadSignedDocument',
        ),
      ),
    );
    expect({ type: err.type, nonRetryable: err.nonRetryable }).toEqual({ type, nonRetryable: permanent });
  });

  it.each([
    ['JSON without bytes', 'application/json', JSON.stringify({ success: true, message: 'ok' })],
    ['bytes that are not base64', 'application/json', JSON.stringify({ bytes: 'not*base64!' })],
    ['an HTML page', 'text/html', '<html>maintenance</html>'],
  ])('%s is an InvalidDocumentResponse, and nothing is written', async (_label, type, body) => {
    portal.handle((_req, res) => res.writeHead(200, { 'content-type': type }).end(body));
    const err = await failure(
      runStep(
        steps().downloadSignedDocument,
        input(
          portalState('1011', `${portal.url}/api/v2/document/package?key=4B4659AB34847973`),
          'downloadSignedDocument',
        ),
      ),
    );
    expect({ type: err.type, nonRetryable: err.nonRetryable }).toEqual({
      type: STEP_FAILURE.badResponse,
      nonRetryable: true,
    });
    await expect(readdir(join(dir, 'portal-de-assinaturas', '1011'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('without the API token, fails as not configured before any request', async () => {
    const err = await failure(
      runStep(
        steps({ download: { fetchers: documentFetchers({ portal: { apiUrl: `${portal.url}/api/v2` } }) } })
          .downloadSignedDocument,
        input(
          portalState('1012', `${portal.url}/api/v2/document/package?key=4B4659AB34847973`),
          'downloadSignedDocument',
        ),
      ),
    );
    expect({ type: err.type, nonRetryable: err.nonRetryable }).toEqual({
      type: STEP_FAILURE.notConfigured,
      nonRetryable: true,
    });
    expect(portal.requests).toEqual([]);
  });

  it('with no apiDownload in any event, fails as NoDocumentLink', async () => {
    const tx = endedState('portal-de-assinaturas', '1013', [
      { key: 'FLOW', type: 'signed', status: 'signed', details: {} },
    ]);
    const err = await failure(runStep(steps().downloadSignedDocument, input(tx, 'downloadSignedDocument')));
    expect({ type: err.type, nonRetryable: err.nonRetryable }).toEqual({
      type: STEP_FAILURE.noDocumentLink,
      nonRetryable: true,
    });
  });
});

const SIGNHOST_ID = 'b10ae331-af78-4e79-a39e-5b64693b6b68';
function signhostState(fileIds: string[] | undefined, over: Partial<TransactionState> = {}) {
  return endedState(
    'signhost',
    SIGNHOST_ID,
    [
      {
        key: 'activity:c3d4',
        type: 'signerAction',
        providerStatus: '105',
        details: { code: 105, fileId: 'opened-only.pdf' },
      },
      {
        key: 'status:30',
        type: 'signed',
        status: 'signed',
        providerStatus: '30',
        details: { label: 'signed', ...(fileIds && { fileIds }) },
      },
    ],
    { providerStatus: '30', ...over },
  );
}

describe('downloadSignedDocument: Signhost', () => {
  const files: Record<string, Buffer> = { 'contract.pdf': pdfBytes('contract'), annex: pdfBytes('annex') };
  const serveFiles = () =>
    signhost.handle((req, res) => {
      const m = /^\/api\/transaction\/([^/]+)\/file\/([^/?]+)$/.exec(req.url);
      const file = m && m[1] === SIGNHOST_ID ? files[decodeURIComponent(m[2])] : undefined;
      if (req.url === `/api/transaction/${SIGNHOST_ID}`) {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ Id: SIGNHOST_ID, Status: 30, Files: { 'contract.pdf': {}, annex: {} } }));
      } else if (file) {
        res.writeHead(200, { 'content-type': 'application/pdf' }).end(file);
      } else {
        res.writeHead(404).end();
      }
    });

  it('downloads every file the API lists (never the postback’s list), with the APPKey and APIKey headers', async () => {
    serveFiles();
    const result = await runStep(
      steps().downloadSignedDocument,
      input(signhostState(['contract.pdf', 'forged']), 'downloadSignedDocument'),
    );
    expect(signhost.requests.map((r) => r.url)).toEqual([
      `/api/transaction/${SIGNHOST_ID}`,
      `/api/transaction/${SIGNHOST_ID}/file/contract.pdf`,
      `/api/transaction/${SIGNHOST_ID}/file/annex`,
    ]);
    for (const r of signhost.requests) {
      expect(r.headers.application).toBe(`APPKey ${APP_KEY}`);
      expect(r.headers.authorization).toBe(`APIKey ${API_KEY}`);
    }
    const folder = join(dir, 'signhost', SIGNHOST_ID);
    expect(result.files).toEqual([
      {
        path: join(folder, 'contract.pdf'),
        bytes: files['contract.pdf'].length,
        sha256: sha256(files['contract.pdf']),
      },
      { path: join(folder, 'annex.pdf'), bytes: files.annex.length, sha256: sha256(files.annex) },
    ]);
    expect(await readFile(join(folder, 'annex.pdf'))).toEqual(files.annex);
  });

  it('asks the transaction for its files when no postback named them', async () => {
    serveFiles();
    const tx = endedState('signhost', SIGNHOST_ID, [
      { key: 'status:30', type: 'signed', status: 'signed', source: 'poll', details: { label: 'signed' } },
    ]);
    const result = await runStep(steps().downloadSignedDocument, input(tx, 'downloadSignedDocument'));
    expect(signhost.requests.map((r) => r.url)).toEqual([
      `/api/transaction/${SIGNHOST_ID}`,
      `/api/transaction/${SIGNHOST_ID}/file/contract.pdf`,
      `/api/transaction/${SIGNHOST_ID}/file/annex`,
    ]);
    expect(result.files.map((f) => f.sha256)).toEqual([sha256(files['contract.pdf']), sha256(files.annex)]);
  });

  it('a cleaned-up transaction (410 Gone) is a non-retryable DocumentGone', async () => {
    signhost.handle((_req, res) => res.writeHead(410, { 'content-type': 'application/json' }).end('{}'));
    const err = await failure(
      runStep(steps().downloadSignedDocument, input(signhostState(['contract.pdf']), 'downloadSignedDocument')),
    );
    expect({ type: err.type, nonRetryable: err.nonRetryable }).toEqual({ type: STEP_FAILURE.gone, nonRetryable: true });
  });

  it('without the keys, fails as not configured before any request', async () => {
    const err = await failure(
      runStep(
        steps({
          download: { fetchers: documentFetchers({ signhost: { apiUrl: `${signhost.url}/api`, appKey: APP_KEY } }) },
        }).downloadSignedDocument,
        input(signhostState(['contract.pdf']), 'downloadSignedDocument'),
      ),
    );
    expect(err.type).toBe(STEP_FAILURE.notConfigured);
    expect(signhost.requests).toEqual([]);
  });
});

describe('downloadSignedDocument: what it refuses', () => {
  it.each(['evrotrust', 'signicat'] as const)('%s is an UnsupportedProvider, non-retryable', async (provider) => {
    const err = await failure(
      runStep(steps().downloadSignedDocument, input(endedState(provider, 'x-1', []), 'downloadSignedDocument')),
    );
    expect({ type: err.type, nonRetryable: err.nonRetryable }).toEqual({
      type: STEP_FAILURE.unsupportedProvider,
      nonRetryable: true,
    });
  });

  it('a transaction that did not end signed has no signed document', async () => {
    const tx = portalState('1020', `${portal.url}/api/v2/document/package?key=4B4659AB34847973`, {
      status: 'rejected',
    });
    const err = await failure(runStep(steps().downloadSignedDocument, input(tx, 'downloadSignedDocument')));
    expect({ type: err.type, nonRetryable: err.nonRetryable }).toEqual({
      type: STEP_FAILURE.notSigned,
      nonRetryable: true,
    });
    expect(portal.requests).toEqual([]);
  });
});

/** The receiver's own check, as an application would write it from the Standard Webhooks spec. */
function verify(req: { headers: Record<string, string | string[] | undefined>; body: string }, key: Buffer) {
  const id = String(req.headers['webhook-id']);
  const timestamp = String(req.headers['webhook-timestamp']);
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${req.body}`).digest('base64');
  const given = String(req.headers['webhook-signature'])
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => s.slice(3));
  return { id, timestamp: Number(timestamp), valid: given.includes(expected) };
}

describe('notifyApplication', () => {
  const okReceiver = () => receiver.handle((_req, res) => res.writeHead(204).end());
  const tx = () =>
    portalState('2001', 'https://api.portaldeassinaturas.com.br/api/v2/document/package?key=4B4659AB34847973');

  it('POSTs the outcome, signed over id, timestamp and body with the whsec_ secret decoded', async () => {
    okReceiver();
    const before = Math.floor(Date.now() / 1000);
    const result = await runStep(steps().notifyApplication, input(tx(), 'notifyApplication'));
    const after = Math.floor(Date.now() / 1000);

    expect(receiver.requests).toHaveLength(1);
    const req = receiver.requests[0];
    expect(req).toMatchObject({ method: 'POST', url: '/hooks/countersign?tenant=7' });
    expect(req.headers['content-type']).toBe('application/json');
    const check = verify(req, SECRET_BYTES);
    expect(check.valid).toBe(true);
    expect(check.timestamp).toBeGreaterThanOrEqual(before);
    expect(check.timestamp).toBeLessThanOrEqual(after);
    expect(check.id).toMatch(/^msg_[A-Za-z0-9_-]+$/);
    expect(result).toEqual({ webhookId: check.id, status: 204 });
    expect(JSON.parse(req.body)).toEqual({
      workflowId: 'signing:portal-de-assinaturas:2001',
      provider: 'portal-de-assinaturas',
      kind: 'signing',
      externalId: '2001',
      status: 'signed',
      providerStatus: 'FLOW',
      reference: 'order-42',
      updatedAt: '2026-03-01T11:00:00.000Z',
    });
    // Signer names and CPFs are in the state, never in the notification.
    expect(req.body).not.toMatch(/João|307\.625|apiDownload|4B4659AB/);
  });

  it('keeps one webhook-id per transaction and status, so a retry is recognisably the same message', async () => {
    okReceiver();
    const run = (t: TransactionState) => runStep(steps().notifyApplication, input(t, 'notifyApplication'));
    await run(tx());
    await run(tx());
    await run({ ...tx(), status: 'rejected' });
    await run({ ...tx(), workflowId: 'signing:portal-de-assinaturas:2002', externalId: '2002' });
    const ids = receiver.requests.map((r) => verify(r, SECRET_BYTES).id);
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(3);
  });

  it('signs with a bare base64 secret decoded, like a whsec_ one, and the signature fails under any other key', async () => {
    okReceiver();
    await runStep(
      steps({ notify: { url: receiver.url, secret: SECRET_BYTES.toString('base64') } }).notifyApplication,
      input(tx(), 'notifyApplication'),
    );
    expect(verify(receiver.requests[0], SECRET_BYTES).valid).toBe(true);
    expect(verify(receiver.requests[0], Buffer.from(SECRET_BYTES.toString('base64'))).valid).toBe(false);
    expect(
      verify({ ...receiver.requests[0], body: receiver.requests[0].body.replace('signed', 'rejected') }, SECRET_BYTES)
        .valid,
    ).toBe(false);
  });

  it('refuses a secret that is not base64 before sending anything, without echoing it', async () => {
    okReceiver();
    const err = await failure(
      runStep(
        steps({ notify: { url: receiver.url, secret: 'plain-shared-secret' } }).notifyApplication,
        input(tx(), 'notifyApplication'),
      ),
    );
    expect({ type: err.type, nonRetryable: err.nonRetryable }).toEqual({
      type: STEP_FAILURE.notConfigured,
      nonRetryable: true,
    });
    expect(err.message).toMatch(/COUNTERSIGN_NOTIFY_SECRET/);
    expect(err.message).not.toMatch(/plain-shared-secret/);
    expect(receiver.requests).toEqual([]);
  });

  it.each([
    [500, STEP_FAILURE.unavailable, false],
    [503, STEP_FAILURE.unavailable, false],
    [408, STEP_FAILURE.unavailable, false],
    [429, STEP_FAILURE.unavailable, false],
    [302, STEP_FAILURE.unavailable, false],
    [400, STEP_FAILURE.rejected, true],
    [401, STEP_FAILURE.rejected, true],
    [410, STEP_FAILURE.rejected, true],
  ])('an HTTP %i answer is a %s failure (non-retryable: %s)', async (status, type, permanent) => {
    receiver.handle((_req, res) =>
      res.writeHead(status, status === 302 ? { location: `${elsewhere.url}/x` } : {}).end(),
    );
    const err = await failure(runStep(steps().notifyApplication, input(tx(), 'notifyApplication')));
    expect({ type: err.type, nonRetryable: err.nonRetryable }).toEqual({ type, nonRetryable: permanent });
    expect(elsewhere.requests).toEqual([]);
  });

  it.each([
    ['no URL', { secret: WHSEC }],
    ['no secret', { url: 'http://127.0.0.1:1/hook' }],
  ])('with %s, fails as not configured and sends nothing', async (_label, notify) => {
    const err = await failure(runStep(steps({ notify }).notifyApplication, input(tx(), 'notifyApplication')));
    expect({ type: err.type, nonRetryable: err.nonRetryable }).toEqual({
      type: STEP_FAILURE.notConfigured,
      nonRetryable: true,
    });
    expect(receiver.requests).toEqual([]);
  });
});

describe('notifyApplication, checked by the official Standard Webhooks library', () => {
  const tx = () =>
    portalState('2101', 'https://api.portaldeassinaturas.com.br/api/v2/document/package?key=4B4659AB34847973');
  const headers = (req: Recorded) => ({
    'webhook-id': String(req.headers['webhook-id']),
    'webhook-timestamp': String(req.headers['webhook-timestamp']),
    'webhook-signature': String(req.headers['webhook-signature']),
  });

  /** The application's side: the library's verify() on what arrived; 204 when it passes. */
  function libraryReceiver(secret: string) {
    const verdicts: Array<unknown> = [];
    receiver.handle((req, res) => {
      try {
        verdicts.push(new Webhook(secret).verify(req.body, headers(req)));
        res.writeHead(204).end();
      } catch (err) {
        verdicts.push(err);
        res.writeHead(400).end();
      }
    });
    return verdicts;
  }

  it.each([
    ['a whsec_ secret', WHSEC],
    ['a bare base64 secret', SECRET_BYTES.toString('base64')],
  ])('with %s: verify() accepts the notification, and refuses it once the body is changed', async (_label, secret) => {
    const verdicts = libraryReceiver(secret);
    const result = await runStep(
      steps({ notify: { url: receiver.url, secret } }).notifyApplication,
      input(tx(), 'notifyApplication'),
    );

    expect(result.status).toBe(204);
    expect(verdicts).toEqual([
      expect.objectContaining({ workflowId: 'signing:portal-de-assinaturas:2101', status: 'signed' }),
    ]);
    const sent = receiver.requests[0];
    const wh = new Webhook(secret);
    expect(() => wh.verify(sent.body.replace('"signed"', '"rejected"'), headers(sent))).toThrow(
      WebhookVerificationError,
    );
    expect(() => wh.verify(`${sent.body} `, headers(sent))).toThrow(WebhookVerificationError);
    // The same bytes read as a raw key (what Countersign used to do with a bare secret) do not verify.
    expect(() => new Webhook(secret, { format: 'raw' }).verify(sent.body, headers(sent))).toThrow(
      WebhookVerificationError,
    );
  });
});
