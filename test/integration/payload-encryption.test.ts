// Payload encryption against a real Temporal dev server: callbacks of every provider and kind,
// before registration, after the end (late callback) and through post-signing steps, then
// every workflow's raw history, as `temporal workflow show` reads it, searched byte by byte for
// the fixtures' personal data. With the key, the same histories and every state read in clear.
// Then rotation across a worker restart, a payload under an unknown key, and the codec server.
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { countersignDataConverter } from '../../src/client';
import { newKeyEntry, parseKeyList } from '../../src/encryption/keys';
import { EncryptionCodec, KEY_ID_METADATA, UnknownEncryptionKeyError } from '../../src/encryption/payload-codec';
import type { TransactionState } from '../../src/common/types';
import { testConfig } from '../helpers/config';
import { send, type RawRequest } from '../helpers/http';
import { startRecordingServer, type RecordingServer } from '../helpers/http-server';
import { PII, registration, SECRETS, SPECS, workflowIdOf, type CallbackMessage } from '../helpers/provider-specs';
import { startApp } from '../helpers/app';
import { API_AUTH, registerViaApi } from '../helpers/transactions';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';

const K1 = newKeyEntry('k1');
const K2 = newKeyEntry('k2');
const K3 = newKeyEntry('k3');
const CODEC_TOKEN = 'codec-3f9a1c7e5b2d4860-token';
const UI_ORIGIN = 'http://127.0.0.1:18233';
const TASK_QUEUE = `encryption-${Date.now().toString(36)}`;

/** What must never be readable in Temporal: the fixtures' personal data and the reasons built from it. */
const FORBIDDEN: Array<[string, string]> = [
  ['name', PII.name],
  ['CPF', PII.cpf],
  ['CPF digits', PII.cpfDigits],
  ['e-mail', PII.email],
  ...PII.signhostNames.map((n): [string, string] => ['Signhost signer name', n]),
  ...PII.signhostEmails.map((e): [string, string] => ['Signhost signer e-mail', e]),
  ['phone', PII.phone],
  ['reject reason', 'refused'],
  ['disagreement', 'disagrees'],
  ['non-delivery reason', 'mailbox of'],
];

let env: TestWorkflowEnvironment;
let notified: RecordingServer;
const stacks: Stack[] = [];

const configFor = (keys: string) =>
  testConfig(
    {
      ...SECRETS,
      LINGER_AFTER_FINAL: '1s',
      COUNTERSIGN_ENCRYPTION_KEYS: keys,
      COUNTERSIGN_CODEC_TOKEN: CODEC_TOKEN,
      COUNTERSIGN_CODEC_ORIGINS: UI_ORIGIN,
      // Post-signing steps: the ended transaction goes into an activity's input and out to the application.
      POST_SIGNING_STEPS: JSON.stringify({
        default: { onSigned: ['notifyApplication'], onRejected: ['notifyApplication'] },
      }),
      COUNTERSIGN_NOTIFY_URL: `${notified.url}/countersign`,
      COUNTERSIGN_NOTIFY_SECRET: 'whsec_bm90aWZ5LXNlY3JldC1mb3ItZW5jcnlwdGlvbi10ZXN0cw==',
    },
    TASK_QUEUE,
  );
// As an application builds its own Client (countersign/client).
const clientWith = (keys: string) =>
  new Client({ connection: env.connection, dataConverter: countersignDataConverter(keys) });
const codecWith = (keys: string) => new EncryptionCodec(parseKeyList(keys));

async function start(keys: string): Promise<Stack> {
  const stack = await startStack(env, configFor(keys));
  stacks.push(stack);
  return stack;
}
async function stop(stack: Stack) {
  stacks.splice(stacks.indexOf(stack), 1);
  await stack.stop();
}

beforeAll(async () => {
  env = await startDevServerEnv();
  notified = await startRecordingServer((_req, res) => res.writeHead(204).end());
}, 120_000);

afterAll(async () => {
  for (const s of [...stacks]) await s.stop();
  await notified?.close();
  await env?.teardown();
});

const json = (m: CallbackMessage): RawRequest => ({
  path: m.path,
  headers: { 'content-type': 'application/json', ...m.headers },
  body: JSON.stringify(m.body),
});
const api = { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.COUNTERSIGN_API_TOKEN}` };

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A workflow's history as the server stores and serves it, decoding nothing. */
async function rawHistory(workflowId: string) {
  return env.client.workflow.getHandle(workflowId).fetchHistory();
}
const historyBytes = (h: temporal.api.history.v1.IHistory) =>
  Buffer.from(temporal.api.history.v1.History.encode(h).finish());

/** Every payload of a history, except search attributes (indexed in clear by design, checked by no-personal-data.test.ts). */
function payloadsOf(node: unknown, out: Payload[] = []): Payload[] {
  if (node === null || typeof node !== 'object' || ArrayBuffer.isView(node)) return out;
  if (Array.isArray(node)) {
    for (const n of node) payloadsOf(n, out);
    return out;
  }
  const o = node as Record<string, unknown>;
  // The SDK's own patch markers (`patched()`) carry only the patch's name, written by the
  // workflow sandbox itself, which has no codec.
  if (o.markerName === 'core_patch') return out;
  if (o.metadata && typeof o.metadata === 'object' && 'data' in o && !Array.isArray(o.metadata)) {
    out.push(o);
    return out;
  }
  for (const [k, v] of Object.entries(o)) if (k !== 'searchAttributes') payloadsOf(v, out);
  return out;
}
const metaText = (p: Payload, key: string) => Buffer.from(p.metadata?.[key] ?? new Uint8Array()).toString('utf8');

describe('with the codec on', () => {
  const workflowIds: string[] = [];
  let stack: Stack;
  let reader: Client;

  beforeAll(async () => {
    stack = await start(K1);
    reader = clientWith(K1);
    for (const spec of SPECS) {
      const id = uniqueId('enc');
      await registerViaApi(stack.app.url, registration(spec, id, { reference: `order-${id}` }), API_AUTH);
      for (const m of [spec.progress(id, 1), spec.valid(id)])
        expect((await send(stack.app.url, json(m))).status).toBe(200);
      workflowIds.push(workflowIdOf(spec, id));
      if (spec.authenticated) {
        const early = uniqueId('enc-early');
        expect((await send(stack.app.url, json(spec.progress(early, 2)))).status).toBe(200);
        workflowIds.push(workflowIdOf(spec, early));
      }
    }
    // A late callback about a closed transaction, carrying a name and a CPF.
    const portal = SPECS.find((s) => s.provider === 'portal-de-assinaturas' && s.kind === 'signing')!;
    const closedId = workflowIds.find((w) => w.startsWith('signing:portal-de-assinaturas:enc-'))!;
    await reader.workflow.getHandle(closedId).result();
    const final = portal.valid(closedId.split(':').at(-1)!);
    const late = {
      ...final,
      body: {
        ...final.body,
        action: 'APPROVAL-NOK',
        identifier: PII.cpf,
        name: PII.name,
        message: `${PII.name} refused`,
      },
    };
    expect((await send(stack.app.url, json(late))).status).toBe(200);
    const lateId = await until('the late-callback workflow', async () => {
      for await (const wf of env.client.workflow.list({
        query: `WorkflowType = 'lateCallbackWorkflow' AND SigningExternalId = '${closedId.split(':').at(-1)}'`,
      }))
        return wf.workflowId;
      return undefined;
    });
    workflowIds.push(lateId);
    // Every registered transaction ran to its end, steps included.
    for (const id of workflowIds.filter((w) => !w.includes('enc-early') && !w.startsWith('late:')))
      await reader.workflow.getHandle(id).result();
    await reader.workflow.getHandle(lateId).result();
  }, 120_000);

  // The next tests start workers of their own on the same task queue.
  afterAll(() => stop(stack));

  it('covers every workflow type, and post-signing steps ran', async () => {
    const types = new Set<string>();
    for (const id of workflowIds) types.add((await env.client.workflow.getHandle(id).describe()).type);
    expect([...types].sort()).toEqual(['lateCallbackWorkflow', 'registeredMailWorkflow', 'signingWorkflow']);
    const signed = workflowIds.find((w) => w.startsWith('signing:signicat:enc-'))!;
    const state = (await reader.workflow.getHandle(signed).result()) as TransactionState;
    expect(state.steps).toEqual([expect.objectContaining({ name: 'notifyApplication', status: 'completed' })]);
    expect(notified.requests.length).toBeGreaterThan(0);
  });

  it('leaves no personal data in any raw history, and no payload in clear', async () => {
    for (const id of workflowIds) {
      const history = await rawHistory(id);
      const bytes = historyBytes(history);
      for (const [what, value] of FORBIDDEN)
        expect({ id, what, found: bytes.includes(Buffer.from(value)) }).toEqual({ id, what, found: false });
      const payloads = payloadsOf(history);
      expect(payloads.length).toBeGreaterThan(0);
      for (const p of payloads)
        expect({ id, encoding: metaText(p, 'encoding'), key: metaText(p, KEY_ID_METADATA) }).toEqual({
          id,
          encoding: 'binary/encrypted',
          key: 'k1',
        });
    }
  });

  it('with the key, the same histories hold the data the raw bytes hide', async () => {
    const codec = codecWith(K1);
    let clear = '';
    for (const id of workflowIds)
      clear += (await codec.decode(payloadsOf(await rawHistory(id))))
        .map((p) => Buffer.from(p.data ?? []).toString('utf8'))
        .join('\n');
    // Reasons are kept on purpose (operators need them): encrypted, not dropped.
    expect(clear).toContain(`${PII.name} refused`);
    expect(clear).toContain(`${PII.name} disagrees`);
    expect(clear).toContain(`mailbox of ${PII.email} full`);
    // What "keep less" dropped is not in the decrypted payloads of the workflows either.
    expect(clear).not.toContain(PII.cpf);
    expect(clear).not.toContain(PII.signhostEmails[0]);
  });

  it('with the key, every state is readable', async () => {
    for (const id of workflowIds.filter((w) => !w.startsWith('late:'))) {
      const state = await reader.workflow.getHandle(id).query<TransactionState>('state');
      expect(state.workflowId).toBe(id);
      const spec = SPECS.find((s) => id.startsWith(`${s.kind}:${s.provider}:`))!;
      expect(state.status).toBe(id.includes('enc-early') ? 'unregistered' : spec.finalStatus);
    }
    const lateResult = JSON.stringify(
      await reader.workflow.getHandle(workflowIds.find((w) => w.startsWith('late:'))!).result(),
    );
    expect(lateResult).toContain(`${PII.name} refused`);
  });

  it('without the key, a reader is told which key it lacks', async () => {
    const id = workflowIds[0];
    await expect(clientWith(K2).workflow.getHandle(id).result()).rejects.toThrow(/"k1".*not configured here/);
    await expect(codecWith(K2).decode(payloadsOf(await rawHistory(id)))).rejects.toThrow(UnknownEncryptionKeyError);
    // The application API of a deployment that lost k1 says so, instead of "Temporal unavailable".
    const misconfigured = await startApp(configFor(K2), clientWith(K2));
    try {
      const res = await fetch(`${misconfigured.url}/transactions/${encodeURIComponent(id)}`, { headers: api });
      expect(res.status).toBe(500);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/"k1"/);
    } finally {
      await misconfigured.close();
    }
  });

  describe('codec server', () => {
    const codecUrl = () => `${stack.app.url}/codec`;
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${codecUrl()}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const wire = (p: Payload) => ({
      metadata: Object.fromEntries(
        Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
      ),
      data: Buffer.from(p.data ?? []).toString('base64'),
    });
    const bearer = { authorization: `Bearer ${CODEC_TOKEN}` };
    let encrypted: ReturnType<typeof wire>[];

    beforeAll(async () => {
      encrypted = payloadsOf(await rawHistory(workflowIds[0])).map(wire);
    });

    it('refuses a request without its credential, or with a wrong one', async () => {
      for (const [path, headers] of [
        ['/decode', {}],
        ['/decode', { authorization: 'Bearer wrong-token-0000000000' }],
        ['/wrong-token-0000000000/decode', {}],
        ['/encode', {}],
      ] as Array<[string, Record<string, string>]>) {
        const res = await post(path, { payloads: encrypted }, headers);
        expect({ path, status: res.status }).toEqual({ path, status: 401 });
        expect(await res.text()).not.toContain(PII.name);
      }
    });

    it('refuses a browser on another origin, preflight included, and answers the UI origin', async () => {
      const other = await post('/decode', { payloads: encrypted }, { ...bearer, origin: 'http://evil.example' });
      expect(other.status).toBe(403);
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = (origin: string) =>
        fetch(`${codecUrl()}/decode`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization,content-type,x-namespace',
          },
        });
      const refused = await preflight('http://evil.example');
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      const allowed = await preflight(UI_ORIGIN);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
      expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization.*content-type.*x-namespace/);
    });

    it('decodes for the UI (token in the path) and for the CLI (bearer), and encodes back', async () => {
      const fromUi = await post(
        `/${CODEC_TOKEN}/decode`,
        { payloads: encrypted },
        { origin: UI_ORIGIN, 'x-namespace': 'default' },
      );
      expect(fromUi.status).toBe(200);
      expect(fromUi.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
      const decoded = (await fromUi.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
      expect(decoded.payloads).toHaveLength(encrypted.length);
      const text = decoded.payloads.map((p) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');
      expect(text).toContain(`${PII.name} refused`);
      expect(Buffer.from(decoded.payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');

      const encoded = await post('/encode', decoded, bearer);
      expect(encoded.status).toBe(200);
      const again = (await encoded.json()) as typeof decoded;
      expect(Buffer.from(again.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
      const roundTrip = (await (await post('/decode', again, bearer)).json()) as typeof decoded;
      expect(roundTrip.payloads.map((p) => p.data)).toEqual(decoded.payloads.map((p) => p.data));
    });

    it('names the key id of a payload it cannot decrypt, and refuses malformed bodies', async () => {
      const foreign = (
        await codecWith(K3).encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"x"') }])
      ).map(wire);
      const res = await post('/decode', { payloads: foreign }, bearer);
      expect(res.status).toBe(422);
      expect(((await res.json()) as { error: string }).error).toMatch(/"k3"/);
      expect((await post('/decode', { payloads: [{ data: 'not base64!' }] }, bearer)).status).toBe(400);
      expect((await post('/decode', { nope: 1 }, bearer)).status).toBe(400);
      const broken = await fetch(`${codecUrl()}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer },
        body: '{"payloads":',
      });
      expect(broken.status).toBe(400);
    });
  });
});

describe('key rotation', () => {
  it('a transaction started under key 1 finishes under keys {2, 1}', async () => {
    const spec = SPECS.find((s) => s.provider === 'evrotrust')!;
    const id = uniqueId('rotate');
    const workflowId = workflowIdOf(spec, id);
    const before = await start(K1);
    await registerViaApi(before.app.url, registration(spec, id, { reference: `order-${id}` }), API_AUTH);
    expect((await send(before.app.url, json(spec.progress(id, 1)))).status).toBe(200);
    await until(
      'the progress applied',
      async () =>
        (await clientWith(K1).workflow.getHandle(workflowId).query<TransactionState>('state')).events.length === 1 ||
        undefined,
    );
    await stop(before);

    // Rotated: k2 in front, k1 kept to read what k1 wrote. A new worker replays the k1 history.
    const after = await start(`${K2},${K1}`);
    expect((await send(after.app.url, json(spec.valid(id)))).status).toBe(200);
    const result = (await clientWith(`${K2},${K1}`).workflow.getHandle(workflowId).result()) as TransactionState;
    expect(result.status).toBe('rejected');
    expect(result.events.map((e) => e.key)).toEqual(['status:1', 'status:3']);

    const keyIds = new Set(payloadsOf(await rawHistory(workflowId)).map((p) => metaText(p, KEY_ID_METADATA)));
    expect([...keyIds].sort()).toEqual(['k1', 'k2']);
    // Dropping k1 too early: what it wrote can no longer be read, and the error says so.
    await expect(codecWith(K2).decode(payloadsOf(await rawHistory(workflowId)))).rejects.toThrow(/"k1"/);
    await stop(after);
  }, 90_000);
});

describe('a payload under a key the worker does not have', () => {
  it('fails the workflow task with the key id named, and the worker keeps running', async () => {
    const stack = await start(K1);
    const spec = SPECS.find((s) => s.provider === 'evrotrust')!;
    const id = uniqueId('foreign');
    const workflowId = workflowIdOf(spec, id);
    // Another deployment's client (key k3) starts a workflow on this worker's queue.
    await clientWith(K3).workflow.start('signingWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [{ provider: 'evrotrust', kind: 'signing', externalId: id, registered: true }],
    });
    const failure = await until('a failed workflow task', async () => {
      const events = (await rawHistory(workflowId)).events ?? [];
      return (
        events.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes?.failure ?? undefined
      );
    });
    // The failure's message is itself encrypted (under the worker's key): decode it as the UI would.
    const [attrs] = failure.encodedAttributes ? await codecWith(K1).decode([failure.encodedAttributes]) : [undefined];
    const message = attrs
      ? (JSON.parse(Buffer.from(attrs.data ?? []).toString('utf8')) as { message: string }).message
      : (failure.message ?? '');
    expect(message).toMatch(/"k3"/);
    expect(stack.worker.getState()).toBe('RUNNING');
    await env.client.workflow.getHandle(workflowId).terminate('test over');
    await stop(stack);
  }, 60_000);
});
