// downloadSignedDocument writes a raw document to disk as it arrives and heartbeats while it
// does: the server below holds back the end of a 4 MB PDF until the activity has heartbeated,
// which a download that buffers the whole file first could never do.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createStepActivities } from '../../src/activities/steps';
import type { StepInput } from '../../src/common/types';
import { startRecordingServer, type RecordingServer } from '../helpers/http-server';
import { endedState } from '../helpers/transactions';
import { documentFetchers } from '../helpers/documents';

const MB = 1024 * 1024;
let portal: RecordingServer;
let dir: string;

beforeAll(async () => {
  portal = await startRecordingServer();
  dir = await mkdtemp(join(tmpdir(), 'countersign-stream-'));
});
afterAll(async () => {
  await portal?.close();
  await rm(dir, { recursive: true, force: true });
});

function step(maxBytes?: number) {
  return createStepActivities({
    download: {
      documentsDir: dir,
      fetchers: documentFetchers({
        portal: { apiUrl: `${portal.url}/api/v2`, token: 't' },
        signhost: { apiUrl: 'http://127.0.0.1:1/api' },
      }),
      ...(maxBytes && { maxBytes }),
    },
    notify: {},
  }).downloadSignedDocument;
}

const input = (id: string): StepInput => ({
  step: 'downloadSignedDocument',
  transaction: endedState('portal-de-assinaturas', id, [
    {
      key: 'FLOW',
      type: 'signed',
      status: 'signed',
      details: { apiDownload: 'https://x.example/document/package?key=K1' },
    },
  ]),
});

it('streams to disk, heartbeating before the body has ended', async () => {
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), Buffer.alloc(4 * MB, 7)]);
  let heartbeatSeen!: () => void;
  const heartbeat = new Promise<void>((resolve) => (heartbeatSeen = resolve));
  let heartbeatBeforeEnd = false;
  portal.handle((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/pdf' });
    res.write(pdf.subarray(0, 3 * MB));
    // The rest only once the activity said it is alive (or after a while, so a failure is reported rather than hung).
    const fallback = setTimeout(() => res.end(pdf.subarray(3 * MB)), 10_000);
    void heartbeat.then(() => {
      heartbeatBeforeEnd = true;
      clearTimeout(fallback);
      res.end(pdf.subarray(3 * MB));
    });
  });
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  const beats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => {
    beats.push(details);
    heartbeatSeen();
  });
  const result: { files: { path: string; bytes: number; sha256: string }[] } = await env.run(step(), input('s1'));
  expect(heartbeatBeforeEnd).toBe(true);
  expect(beats.length).toBeGreaterThanOrEqual(2);
  expect(result.files).toEqual([
    {
      path: join(dir, 'portal-de-assinaturas', 's1', 'signed.pdf'),
      bytes: pdf.length,
      sha256: createHash('sha256').update(pdf).digest('hex'),
    },
  ]);
  expect((await readFile(result.files[0].path)).equals(pdf)).toBe(true);
  expect(await readdir(join(dir, '.incoming'))).toEqual([]);
});

it('stops at the size limit and leaves nothing behind', async () => {
  portal.handle((_req, res) => {
    // No Content-Length: the limit must hold while reading, not only on the declared size.
    res.writeHead(200, { 'content-type': 'application/pdf', 'transfer-encoding': 'chunked' });
    res.write(Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), Buffer.alloc(MB)]));
    res.end(Buffer.alloc(MB));
  });
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  await expect(env.run(step(MB), input('s2'))).rejects.toMatchObject({ type: 'DocumentTooLarge', nonRetryable: true });
  expect(await readdir(join(dir, '.incoming'))).toEqual([]);
  await expect(readdir(join(dir, 'portal-de-assinaturas', 's2'))).rejects.toThrow();
});
