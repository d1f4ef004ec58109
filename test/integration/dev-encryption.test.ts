// `npm start` with nothing configured, as a local operator runs it: a development key and codec
// token made in the data folder, the embedded Web UI pointed at the codec server, `temporal
// workflow show` showing ciphertext and, through the codec server, the clear text. The key
// survives a restart, so open transactions stay readable.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WorkflowNotFoundError } from '@temporalio/client';
import { loadConfig, type Config } from '../../src/config';
import { startCountersign, type RunningCountersign } from '../../src/app/countersign';
import { createLogger } from '../../src/platform/logger';
import { temporalCliPath } from '../../src/app/binaries';
import { installTemporalRuntime } from '../../src/temporal/runtime';
import { send } from '../helpers/http';
import { freePort } from '../helpers/ports';
import { PII, SECRETS } from '../helpers/provider-specs';
import { uniqueId } from '../helpers/temporal';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'countersign-dev-encryption-'));
let config: Config;
let countersign: RunningCountersign | undefined;
const api = { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.COUNTERSIGN_API_TOKEN}` };

beforeAll(async () => {
  config = loadConfig({
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    COUNTERSIGN_DATA_DIR: dataDir,
    COUNTERSIGN_API_TOKEN: SECRETS.COUNTERSIGN_API_TOKEN,
    LOG_LEVEL: 'silent',
    LINGER_AFTER_FINAL: '1s',
  });
  installTemporalRuntime(config);
});

afterAll(async () => {
  await countersign?.stop('test over');
});

const start = () => startCountersign(config, { logger: createLogger('silent'), say: () => undefined });

/** `temporal workflow show` against the embedded server, with extra global options. */
async function show(workflowId: string, extra: string[] = []): Promise<string> {
  const { stdout } = await run(
    temporalCliPath(),
    ['workflow', 'show', '--address', countersign!.address, '-w', workflowId, '-o', 'json', ...extra],
    { maxBuffer: 16 << 20 },
  );
  return stdout;
}

/** Every base64 `data` and `metadata` value of a JSON history, decoded. */
const payloadText = (json: string) =>
  [...json.matchAll(/"(?:data|encoding|encryption-key-id)":\s*"([A-Za-z0-9+/=]+)"/g)]
    .map((m) => Buffer.from(m[1], 'base64').toString('utf8'))
    .join('\n');

it('makes a development key and token, points the embedded UI at the codec server, and keeps Temporal in ciphertext', async () => {
  countersign = await start();
  const keyFile = join(dataDir, 'encryption-keys');
  const tokenFile = join(dataDir, 'codec-token');
  expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
  expect(countersign.encryption).toMatchObject({
    source: 'dev',
    file: keyFile,
    keyIds: [expect.stringMatching(/^dev-\d{8}$/)],
  });
  const token = readFileSync(tokenFile, 'utf8').trim();
  expect(countersign.codecTokenFile).toBe(tokenFile);

  // The Web UI's own settings name the codec endpoint it will call from the browser.
  const settings = (await (await fetch(`${countersign.devServer!.uiUrl}/api/v1/settings`)).json()) as {
    Codec: { Endpoint: string };
  };
  expect(settings.Codec.Endpoint).toBe(`${countersign.codecUrl}/${token}`);

  const id = uniqueId('dev');
  const workflowId = `signing:evrotrust:${id}`;
  expect(
    (
      await send(countersign.url, {
        path: '/transactions',
        headers: api,
        body: JSON.stringify({ provider: 'evrotrust', externalId: id }),
      })
    ).status,
  ).toBe(201);
  const callback = { transactionID: id, status: 3, rejectReason: `${PII.name} refused` };
  expect(
    (
      await send(countersign.url, {
        path: '/callbacks/evrotrust/document/ready',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(callback),
      })
    ).status,
  ).toBe(200);
  await countersign.client.workflow.getHandle(workflowId).result();

  // What an operator sees with the CLI alone: ciphertext. Through the codec server: the reason.
  // JSON output carries payload bytes in base64: read them all, as a curious operator would.
  const raw = await show(workflowId);
  expect(raw).toContain(Buffer.from('binary/encrypted').toString('base64'));
  expect(raw).not.toContain(PII.name);
  expect(payloadText(raw)).not.toContain(PII.name);
  const clear = await show(workflowId, ['--codec-endpoint', countersign.codecUrl!, '--codec-auth', `Bearer ${token}`]);
  expect(payloadText(clear)).toContain(`${PII.name} refused`);

  // The browser's call, as the embedded UI makes it (token in the endpoint's path, its origin).
  const ui = new URL(countersign.devServer!.uiUrl).origin;
  const history = JSON.parse(raw) as {
    events: Array<{ workflowExecutionStartedEventAttributes?: { input?: { payloads: unknown[] } } }>;
  };
  const payloads = history.events[0].workflowExecutionStartedEventAttributes!.input!.payloads;
  const res = await fetch(`${settings.Codec.Endpoint}/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ui, 'x-namespace': 'default' },
    body: JSON.stringify({ payloads }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(ui);
  const decoded = (await res.json()) as { payloads: Array<{ data: string }> };
  expect(Buffer.from(decoded.payloads[0].data, 'base64').toString()).toContain(id);
}, 120_000);

it('reads the same key after a restart: what was written before stays readable', async () => {
  const before = countersign!.encryption.keyIds;
  await countersign!.stop('restart');
  countersign = await start();
  expect(countersign.encryption.keyIds).toEqual(before);
  expect(existsSync(join(dataDir, 'encryption-keys'))).toBe(true);
  const listed: string[] = [];
  for await (const wf of countersign.client.workflow.list({ query: `WorkflowType = 'signingWorkflow'` }))
    listed.push(wf.workflowId);
  expect(listed).toHaveLength(1);
  const result = (await countersign.client.workflow.getHandle(listed[0]).result()) as {
    status: string;
    events: Array<{ reason?: string }>;
  };
  expect(result.status).toBe('rejected');
  expect(result.events.at(-1)?.reason).toBe(`${PII.name} refused`);
}, 120_000);

it('erases one transaction as docs/personal-data.md says', async () => {
  const list = async () => {
    const ids: string[] = [];
    for await (const wf of countersign!.client.workflow.list({ query: `SigningProvider = 'evrotrust'` }))
      ids.push(wf.workflowId);
    return ids;
  };
  const [workflowId] = await list();
  const externalId = workflowId.split(':').at(-1)!;
  const query = `SigningProvider = 'evrotrust' AND SigningExternalId = '${externalId}'`;
  await run(temporalCliPath(), [
    'workflow',
    'delete',
    '--address',
    countersign!.address,
    '--query',
    query,
    '--reason',
    'erasure request',
    '--yes',
  ]);
  // A batch job: deletion is asynchronous.
  const end = Date.now() + 90_000;
  while ((await list()).length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
  expect(await list()).toEqual([]);
  await expect(countersign!.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(
    WorkflowNotFoundError,
  );
}, 120_000);
