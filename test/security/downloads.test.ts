// Attacks 3 and 7 on downloads: a callback's `apiDownload` choosing what is fetched with the
// API token, Signhost file ids `.`/`..` climbing out of the transaction, and storage folders
// that distinct transactions shared. The step runs as an activity against real HTTP servers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createStepActivities } from '../../src/activities/steps';
import { storageFolder } from '../../src/activities/steps/storage';
import type { StepInput, TransactionState } from '../../src/common/types';
import { pdfBytes, startRecordingServer, type RecordingServer } from '../helpers/http-server';
import { endedState } from '../helpers/transactions';
import { documentFetchers } from '../helpers/documents';

let portal: RecordingServer;
let signhost: RecordingServer;
let dir: string;

beforeAll(async () => {
  [portal, signhost] = await Promise.all([startRecordingServer(), startRecordingServer()]);
  dir = await mkdtemp(join(tmpdir(), 'countersign-security-'));
});
afterAll(async () => {
  await Promise.all([portal?.close(), signhost?.close()]);
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  for (const s of [portal, signhost]) s.requests.length = 0;
});

function run(transaction: TransactionState, over: { portalUrl?: string; signhostUrl?: string } = {}) {
  const fn = createStepActivities({
    download: {
      documentsDir: dir,
      fetchers: documentFetchers({
        portal: { apiUrl: `${over.portalUrl ?? portal.url}/api/v2`, token: 'portal-token' },
        signhost: { apiUrl: `${over.signhostUrl ?? signhost.url}/api`, appKey: 'app', apiKey: 'user' },
      }),
    },
    notify: {},
  }).downloadSignedDocument;
  const input: StepInput = { step: 'downloadSignedDocument', transaction };
  return new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run(fn, input).then(
    (r) => r,
    (e: unknown) => e as Error,
  );
}

const portalSigned = (id: string, apiDownload: string) =>
  endedState('portal-de-assinaturas', id, [
    { key: 'FLOW', type: 'signed', status: 'signed', details: { apiDownload } },
  ]);

describe('Portal de Assinaturas apiDownload', () => {
  it('never fetches the path or query a same-origin link names', async () => {
    portal.handle((_req, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdfBytes('doc')));
    await run(portalSigned('p1', `${portal.url}/api/v2/other/admin-export?all=true&key=4B4659AB34847973`));
    expect(portal.requests.map((r) => r.url)).toEqual(['/api/v2/document/package?key=4B4659AB34847973']);
  });

  it('fetches nothing when the link names no single well-formed key', async () => {
    portal.handle((_req, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdfBytes('doc')));
    for (const link of [
      `${portal.url}/api/v2/other/admin-export?all=true`,
      `${portal.url}/api/v2/document/package?key=a&key=b`,
      `${portal.url}/x?key=../../admin`,
    ]) {
      const result = await run(portalSigned('p2', link));
      expect(result).toBeInstanceOf(Error);
    }
    expect(portal.requests).toEqual([]);
  });
});

describe('Signhost file ids', () => {
  it('never turns `.` or `..` into a path, and escapes reserved characters', async () => {
    signhost.handle((req, res) => {
      if (req.url === '/api/transaction/T-1') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ Id: 'T-1', Status: 30, Files: { '.': {}, '..': {}, 'a/b?c#d': {} } }));
      } else res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdfBytes(req.url));
    });
    const result = await run(endedState('signhost', 'T-1', [{ key: 'status:30', type: 'signed', status: 'signed' }]));
    expect(result).not.toBeInstanceOf(Error);
    expect(signhost.requests.map((r) => r.url)).toEqual([
      '/api/transaction/T-1',
      '/api/transaction/T-1/file/a%2Fb%3Fc%23d',
    ]);
  });

  it('refuses a transaction id that is a dot segment before any request', async () => {
    const result = await run(endedState('signhost', '..', [{ key: 'status:30', type: 'signed', status: 'signed' }]));
    expect(result).toBeInstanceOf(Error);
    expect(signhost.requests).toEqual([]);
  });
});

describe('storage folders', () => {
  it('gives distinct transactions distinct folders', async () => {
    const long = 'x'.repeat(130);
    const ids = ['a/b', 'a_b', 'a:b', 'a~b', `${long}1`, `${long}2`, '..', '.', '_', 'A_B'];
    expect(new Set(ids.map(storageFolder)).size).toBe(ids.length);
    for (const id of ids) expect(storageFolder(id)).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._~-]{0,80}$/);
    expect(storageFolder('4B4659AB34847973')).toBe('4B4659AB34847973');
  });

  it('stores two colliding-looking transactions apart', async () => {
    portal.handle((req, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdfBytes(req.url)));
    const paths: string[] = [];
    for (const id of ['a/b', 'a_b', 'a:b']) {
      const result = (await run(portalSigned(id, `${portal.url}/api/v2/document/package?key=K${paths.length}`))) as {
        files: { path: string }[];
      };
      paths.push(dirname(result.files[0].path));
    }
    expect(new Set(paths).size).toBe(3);
  });
});
