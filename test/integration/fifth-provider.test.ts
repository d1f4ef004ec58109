// A provider of the operator's own, from a folder outside src/ (test/fixtures/providers/acme-sign),
// registered through COUNTERSIGN_PROVIDER_MODULES, the registry the four built-in ones use: its
// variables are parsed with the rest, its callbacks are authenticated before parsing and
// applied, its follow-up polls its API, /openapi.json publishes it and the CLI lists it.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { run } from '../../src/cli/countersign';
import { ConfigError, loadConfig } from '../../src/config';
import { followUpNowSignal } from '../../src/common/messages';
import type { TransactionState } from '../../src/common/types';
import { acmeSignature } from '../fixtures/providers/acme-sign';
import { postJson } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { eventually } from '../helpers/http';
import { startRecordingServer, type RecordingServer } from '../helpers/http-server';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { readTransaction } from '../helpers/transactions';

const MODULE = 'test/fixtures/providers/acme-sign/index.ts';
const SECRET = 'acme-secret-0123456789';

let env: TestWorkflowEnvironment;
let stack: Stack;
let acmeApi: RecordingServer;
const taskQueue = `acme-${uniqueId('q')}`;
const saved = { ...process.env };

beforeAll(async () => {
  acmeApi = await startRecordingServer();
  env = await startDevServerEnv();
  const config = testConfig(
    {
      COUNTERSIGN_PROVIDER_MODULES: MODULE,
      ACME_SIGN_SECRET: SECRET,
      ACME_SIGN_API_URL: acmeApi.url,
      LINGER_AFTER_FINAL: '1s',
    },
    taskQueue,
  );
  stack = await startStack(env, config);
}, 120_000);

afterAll(async () => {
  process.env = saved;
  await stack?.stop();
  await env?.teardown();
  await acmeApi?.close();
});

const url = (path: string) => `${stack.app.url}${path}`;

function state(externalId: string): Promise<TransactionState> {
  return readTransaction(url(`/transactions/signing:acme-sign:${externalId}`));
}

function signedPost(body: string, signature: string) {
  return fetch(url('/callbacks/acme-sign'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-acme-signature': signature },
    body,
  });
}

describe('configuration', () => {
  it("parses the provider's own variables with the engine's, naming a bad one", () => {
    const config = loadConfig({ COUNTERSIGN_PROVIDER_MODULES: MODULE, ACME_SIGN_SECRET: SECRET });
    expect(config.providerModules.names).toEqual([
      'evrotrust',
      'signhost',
      'signicat',
      'portal-de-assinaturas',
      'acme-sign',
    ]);
    expect(config.engine.providers?.['acme-sign']?.followUp).toEqual({ firstAfter: '2 hours', maxInterval: '1 day' });
    expect(() => loadConfig({ COUNTERSIGN_PROVIDER_MODULES: MODULE, ACME_SIGN_SECRET: 'short' })).toThrow(
      /ACME_SIGN_SECRET: expected at least 16 characters \(value hidden\)/,
    );
    expect(() => loadConfig({ COUNTERSIGN_PROVIDER_MODULES: 'test/fixtures/providers/none.ts' })).toThrow(ConfigError);
  });

  it('is held to the production rule like the built-in providers: no guard, no start', () => {
    const production = {
      NODE_ENV: 'production',
      COUNTERSIGN_PROVIDER_MODULES: MODULE,
      EVROTRUST_ALLOW_UNAUTHENTICATED: 'true',
      SIGNHOST_ALLOW_UNAUTHENTICATED: 'true',
      SIGNICAT_ALLOW_UNAUTHENTICATED: 'true',
      PORTAL_DE_ASSINATURAS_ALLOW_UNAUTHENTICATED: 'true',
    };
    expect(() => loadConfig(production)).toThrow(/acme-sign: callbacks cannot be authenticated; set ACME_SIGN_SECRET/);
    expect(loadConfig({ ...production, ACME_SIGN_SECRET: SECRET }).production).toBe(true);
  });
});

describe('callbacks', () => {
  it('applies a signed callback to a registered transaction', async () => {
    const id = uniqueId('env');
    expect((await postJson(url('/transactions'), { provider: 'acme-sign', externalId: id })).status).toBe(201);
    const body = JSON.stringify({ envelopeId: id, state: 'signed' });
    expect((await signedPost(body, acmeSignature(SECRET, body))).status).toBe(200);
    await eventually(async () => expect((await state(id)).status).toBe('signed'));
  });

  it('refuses a wrong signature before reading the body: 401 even for a body that is not JSON', async () => {
    expect((await signedPost('{not json', 'f'.repeat(64))).status).toBe(401);
    const body = '{not json';
    expect((await signedPost(body, acmeSignature(SECRET, body))).status).toBe(400);
  });

  it('lets an authenticated callback about an unregistered transaction wait for its registration', async () => {
    const id = uniqueId('env');
    const body = JSON.stringify({ envelopeId: id, state: 'declined' });
    expect((await signedPost(body, acmeSignature(SECRET, body))).status).toBe(200);
    await eventually(async () => expect((await state(id)).status).toBe('unregistered'));
    expect((await postJson(url('/transactions'), { provider: 'acme-sign', externalId: id })).status).toBe(201);
    await eventually(async () => expect((await state(id)).status).toBe('rejected'));
  });
});

it('follows up through its own API client when asked', async () => {
  const id = uniqueId('env');
  acmeApi.handle((req, res) =>
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ state: req.url === `/envelopes/${id}` ? 'signed' : 'sent' })),
  );
  expect((await postJson(url('/transactions'), { provider: 'acme-sign', externalId: id })).status).toBe(201);
  await env.client.workflow.getHandle(`signing:acme-sign:${id}`).signal(followUpNowSignal, { mode: 'poll' });
  const done = await eventually(async () => {
    const s = await state(id);
    expect(s.status).toBe('signed');
    return s;
  });
  expect(done.events).toContainEqual(expect.objectContaining({ source: 'poll', providerStatus: 'signed' }));
  expect(acmeApi.requests.map((r) => r.url)).toContain(`/envelopes/${id}`);
});

it('appears in /openapi.json and the registration schema', async () => {
  const doc = (await (await fetch(url('/openapi.json'))).json()) as {
    paths: Record<string, unknown>;
    components: { schemas: Record<string, { properties: { provider: { enum: string[] } } }> };
  };
  expect(Object.keys(doc.paths)).toContain('/callbacks/acme-sign');
  expect(doc.components.schemas.RegisterTransactionRequest.properties.provider.enum).toContain('acme-sign');
  expect(
    (await postJson(url('/transactions'), { provider: 'acme-sign', externalId: 'x', kind: 'registered-mail' })).status,
  ).toBe(400);
});

it('is listed by the CLI, which takes it as --provider', async () => {
  const id = uniqueId('env');
  await postJson(url('/transactions'), { provider: 'acme-sign', externalId: id });
  Object.assign(process.env, {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    COUNTERSIGN_PROVIDER_MODULES: MODULE,
  });
  const lines: string[] = [];
  await eventually(async () => {
    lines.length = 0;
    expect(await run(['list', '--provider', 'acme-sign'], (s) => lines.push(s))).toBe(0);
    expect(lines.join('\n')).toContain(id);
  }, 30_000);
  delete process.env.COUNTERSIGN_PROVIDER_MODULES;
  expect(await run(['list', '--provider', 'acme-sign'], () => undefined)).toBe(1);
});
