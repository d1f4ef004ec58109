// Bad input over real HTTP, every provider, against a real dev server and worker. Each row
// breaks exactly one thing in an otherwise valid callback and checks three things: the
// documented answer (Signhost: always 200), the refusal reason counted, and that no workflow
// changed (same history length and state) or was created. The process stays up throughout.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { Refusal } from '../../src/providers/provider';
import { startApp, type RunningApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { exists, send, snapshot, type RawRequest } from '../helpers/http';
import {
  checksumFor,
  registration,
  SECRETS,
  SPECS,
  workflowIdOf,
  type CallbackMessage,
  type ProviderSpec,
} from '../helpers/provider-specs';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { API_AUTH, registerViaApi } from '../helpers/transactions';

const HTTP_RUNS = Number(process.env.HTTP_PROPERTY_RUNS ?? 25);
const LIMIT_BYTES = 16 * 1024;
const base = { ...SECRETS, BODY_LIMIT: '16kb' };
const config = testConfig(base);

let env: TestWorkflowEnvironment;
let stack: Stack;
/** Same worker; every provider's sender allowlist set to a range loopback is not in. */
let fenced: RunningApp;
/** One registered transaction per provider that no bad request may touch. */
const targets = new Map<string, string>();

beforeAll(async () => {
  env = await startDevServerEnv();
  stack = await startStack(env, config);
  const allow = '192.0.2.0/24';
  fenced = await startApp(
    testConfig(
      {
        ...base,
        EVROTRUST_ALLOWED_IPS: allow,
        SIGNHOST_ALLOWED_IPS: allow,
        SIGNICAT_ALLOWED_IPS: allow,
        PORTAL_DE_ASSINATURAS_ALLOWED_IPS: allow,
      },
      config.temporal.taskQueue,
    ),
    env.client,
  );
  for (const spec of SPECS) {
    const id = uniqueId('target');
    await registerViaApi(stack.app.url, registration(spec, id), API_AUTH);
    targets.set(spec.label, id);
  }
}, 120_000);

afterAll(async () => {
  await fenced?.close();
  await stack?.stop();
  await env?.teardown();
});

const json = (m: CallbackMessage, body: unknown = m.body): RawRequest => ({
  path: m.path,
  headers: { 'content-type': 'application/json', ...m.headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const without = (body: Record<string, unknown>, field: string) =>
  Object.fromEntries(Object.entries(body).filter(([k]) => k !== field));
const objectText = (entries: Array<[string, string]>) =>
  `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

interface Row {
  name: string;
  refusal: Refusal;
  /** Sent to the app whose allowlist excludes loopback. */
  fenced?: boolean;
  only?: (spec: ProviderSpec) => boolean;
  /** Breaks one thing in the valid callback for `spec`. */
  breakIt(m: CallbackMessage, spec: ProviderSpec): RawRequest;
}

const ROWS: Row[] = [
  {
    name: 'malformed JSON (cut short)',
    refusal: 'malformed-json',
    breakIt: (m) => json(m, JSON.stringify(m.body).slice(0, -1)),
  },
  {
    name: 'malformed JSON (trailing garbage)',
    refusal: 'malformed-json',
    breakIt: (m) => json(m, `${JSON.stringify(m.body)} x`),
  },
  {
    name: 'a byte order mark before the JSON',
    refusal: 'malformed-json',
    breakIt: (m) => json(m, `\ufeff${JSON.stringify(m.body)}`),
  },
  // Signhost's checksum, not the content type, tells a real postback (lost-callbacks.test.ts).
  {
    name: 'content type text/plain',
    refusal: 'unsupported-media-type',
    only: (s) => s.provider !== 'signhost',
    breakIt: (m) => ({ ...json(m), headers: { ...m.headers, 'content-type': 'text/plain' } }),
  },
  {
    name: 'content type form-urlencoded',
    refusal: 'unsupported-media-type',
    only: (s) => s.provider !== 'signhost',
    breakIt: (m) => ({ ...json(m), headers: { ...m.headers, 'content-type': 'application/x-www-form-urlencoded' } }),
  },
  {
    name: 'no content type',
    refusal: 'unsupported-media-type',
    only: (s) => s.provider !== 'signhost',
    breakIt: (m) => ({ path: m.path, headers: m.headers, body: Buffer.from(JSON.stringify(m.body)) }),
  },
  {
    name: 'a body over the limit',
    refusal: 'too-large',
    breakIt: (m) => json(m, { ...m.body, padding: 'x'.repeat(LIMIT_BYTES) }),
  },
  {
    // The limit holds for what a compressed body inflates to, not for the bytes on the wire.
    name: 'a gzip body over the limit once inflated',
    refusal: 'too-large',
    breakIt: (m) => {
      const plain = json(m, { ...m.body, padding: 'x'.repeat(LIMIT_BYTES) });
      return { ...plain, headers: { ...plain.headers, 'content-encoding': 'gzip' }, body: gzipSync(plain.body) };
    },
  },
  {
    name: 'a content encoding nobody knows',
    refusal: 'malformed-json',
    breakIt: (m) => ({ ...json(m), headers: { ...json(m).headers, 'content-encoding': 'x-unknown' } }),
  },
  {
    name: 'a gzip header over a body that is not gzip',
    refusal: 'malformed-json',
    breakIt: (m) => ({ ...json(m), headers: { ...json(m).headers, 'content-encoding': 'gzip' } }),
  },
  { name: 'deep nesting as the body', refusal: 'invalid-payload', breakIt: (m) => json(m, deep(5_000)) },
  {
    name: 'deep nesting in the status field',
    refusal: 'invalid-payload',
    breakIt: (m, s) =>
      json(
        m,
        objectText([
          ...Object.entries(without(m.body, s.statusField)).map(([k, v]): [string, string] => [k, JSON.stringify(v)]),
          [s.statusField, deep(5_000)],
        ]),
      ),
  },
  { name: 'a JSON array', refusal: 'invalid-payload', breakIt: (m) => json(m, [m.body]) },
  { name: 'JSON null', refusal: 'invalid-payload', breakIt: (m) => json(m, 'null') },
  { name: 'the id missing', refusal: 'invalid-payload', breakIt: (m, s) => json(m, without(m.body, s.idField)) },
  {
    name: 'the status missing',
    refusal: 'invalid-payload',
    breakIt: (m, s) => json(m, without(m.body, s.statusField)),
  },
  {
    name: 'the status mistyped (boolean)',
    refusal: 'invalid-payload',
    breakIt: (m, s) => json(m, { ...m.body, [s.statusField]: true }),
  },
  {
    name: 'the id mistyped (object)',
    refusal: 'invalid-payload',
    breakIt: (m, s) => json(m, { ...m.body, [s.idField]: { id: m.body[s.idField] } }),
  },
  {
    name: 'the status hidden under __proto__',
    refusal: 'invalid-payload',
    breakIt: (m, s) =>
      json(
        m,
        objectText([
          ...Object.entries(without(m.body, s.statusField)).map(([k, v]): [string, string] => [k, JSON.stringify(v)]),
          ['__proto__', JSON.stringify({ [s.statusField]: m.body[s.statusField] })],
        ]),
      ),
  },
  {
    name: 'the id hidden under constructor',
    refusal: 'invalid-payload',
    breakIt: (m, s) => json(m, { ...without(m.body, s.idField), constructor: { [s.idField]: m.body[s.idField] } }),
  },
  {
    // Signicat keeps any status it does not know as an event (it never resends), so odd
    // unicode there is news, not an error; see the Signicat tests.
    name: 'odd unicode in the status (fullwidth digits, bidi override)',
    refusal: 'invalid-payload',
    only: (s) => s.provider !== 'signicat',
    breakIt: (m, s) =>
      json(m, {
        ...m.body,
        [s.statusField]:
          typeof m.body[s.statusField] === 'number'
            ? '\uff13\uff10'
            : `\u202e${String(m.body[s.statusField]).replace(/[A-Z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))}`,
      }),
  },
  {
    name: 'an empty body',
    refusal: 'invalid-payload',
    only: (s) => s.provider !== 'signhost',
    breakIt: (m) => json(m, ''),
  },
  {
    name: 'the credential header missing',
    refusal: 'unauthorized',
    only: (s) => s.credentialHeaders.length > 0,
    breakIt: (m, s) => ({
      ...json(m),
      headers: Object.fromEntries(Object.entries(json(m).headers).filter(([k]) => !s.credentialHeaders.includes(k))),
    }),
  },
  {
    name: 'the credential header wrong',
    refusal: 'unauthorized',
    only: (s) => s.credentialHeaders.length > 0,
    breakIt: (m, s) => ({ ...json(m), headers: { ...json(m).headers, [s.credentialHeaders[0]]: 'guessed-value' } }),
  },
  {
    name: 'the credential header with extra characters',
    refusal: 'unauthorized',
    only: (s) => s.credentialHeaders.length > 0,
    breakIt: (m, s) => ({
      ...json(m),
      headers: { ...json(m).headers, [s.credentialHeaders[0]]: `${m.headers[s.credentialHeaders[0]]}x` },
    }),
  },
  {
    name: 'a wrong checksum',
    refusal: 'unauthorized',
    only: (s) => s.provider === 'signhost',
    breakIt: (m) => json(m, { ...m.body, Checksum: '0'.repeat(40) }),
  },
  {
    name: 'no checksum',
    refusal: 'unauthorized',
    only: (s) => s.provider === 'signhost',
    breakIt: (m) => json(m, without(m.body, 'Checksum')),
  },
  {
    name: 'the checksum of another status',
    refusal: 'unauthorized',
    only: (s) => s.provider === 'signhost',
    breakIt: (m) => json(m, { ...m.body, Checksum: checksumFor(String(m.body.Id), 10) }),
  },
  { name: 'a sender address not allowed', refusal: 'forbidden-address', fenced: true, breakIt: (m) => json(m) },
  {
    name: 'a spoofed X-Forwarded-For naming an allowed sender',
    refusal: 'forbidden-address',
    fenced: true,
    breakIt: (m) => ({ ...json(m), headers: { ...json(m).headers, 'x-forwarded-for': '192.0.2.10' } }),
  },
  {
    name: 'spoofed Forwarded and X-Real-IP headers',
    refusal: 'forbidden-address',
    fenced: true,
    breakIt: (m) => ({
      ...json(m),
      headers: { ...json(m).headers, forwarded: 'for=192.0.2.10', 'x-real-ip': '192.0.2.10' },
    }),
  },
];

async function refusals(app: RunningApp, spec: ProviderSpec, reason: Refusal): Promise<number> {
  const metric = await app.metrics.callbacksRefused.get();
  return metric.values.find((v) => v.labels.provider === spec.provider && v.labels.reason === reason)?.value ?? 0;
}

async function acceptedCount(app: RunningApp): Promise<number> {
  const metric = await app.metrics.callbacksAccepted.get();
  return metric.values.reduce((sum, v) => sum + v.value, 0);
}

/** Sends a broken request and checks the answer, the refusal counted, and that nothing changed or appeared. */
/**
 * Signhost's checksum covers the postback's Id and Status: a body they cannot be read from
 * cannot be verified, so it is refused as unauthenticated before its shape is judged.
 */
function expectedRefusal(spec: ProviderSpec, row: Row, req: RawRequest): Refusal {
  if (spec.provider !== 'signhost' || (row.refusal !== 'malformed-json' && row.refusal !== 'invalid-payload'))
    return row.refusal;
  let body: unknown;
  try {
    body = JSON.parse(req.body.toString());
  } catch {
    return 'unauthorized';
  }
  const { Id, Status } = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<
    string,
    unknown
  >;
  return typeof Id === 'string' && Id.length > 0 && Number.isInteger(Status) ? row.refusal : 'unauthorized';
}

async function expectRefused(
  app: RunningApp,
  spec: ProviderSpec,
  req: RawRequest,
  refusal: Refusal,
  targetId: string,
  freshId?: string,
) {
  const target = workflowIdOf(spec, targetId);
  const before = await snapshot(env.client, target);
  const [counted, accepted] = [await refusals(app, spec, refusal), await acceptedCount(app)];
  const res = await send(app.url, req);
  expect({ status: res.status, refusal }).toEqual({ status: spec.answer(refusal), refusal });
  // Signhost and 401s learn nothing from the body.
  if (spec.provider === 'signhost' || res.status === 401) expect(res.text).toBe('');
  expect(await refusals(app, spec, refusal)).toBe(counted + 1);
  expect(await acceptedCount(app)).toBe(accepted);
  expect(await snapshot(env.client, target)).toEqual(before);
  if (freshId) expect(await exists(env.client, workflowIdOf(spec, freshId))).toBe(false);
}

describe.each(SPECS)('$label', (spec) => {
  it('accepts the unbroken callback (the base of every row below)', async () => {
    const id = uniqueId('control');
    await registerViaApi(stack.app.url, registration(spec, id), API_AUTH);
    const res = await send(stack.app.url, json(spec.valid(id)));
    expect(res.status).toBe(200);
    const s = await snapshot(env.client, workflowIdOf(spec, id));
    expect(s.state.status).toBe(spec.finalStatus);
    if (spec.authenticated) {
      // Unregistered, the same callback creates a workflow: the fresh-id checks below can fail.
      const fresh = uniqueId('control-fresh');
      expect((await send(stack.app.url, json(spec.valid(fresh)))).status).toBe(200);
      expect(await exists(env.client, workflowIdOf(spec, fresh))).toBe(true);
    }
  });

  it('accepts a gzip-compressed callback, and its path with a trailing slash or in capitals', async () => {
    const id = uniqueId('variants');
    await registerViaApi(stack.app.url, registration(spec, id), API_AUTH);
    const plain = json(spec.valid(id));
    const gzipped = { ...plain, headers: { ...plain.headers, 'content-encoding': 'gzip' }, body: gzipSync(plain.body) };
    expect((await send(stack.app.url, gzipped)).status).toBe(200);
    expect((await snapshot(env.client, workflowIdOf(spec, id))).state.status).toBe(spec.finalStatus);
    for (const path of [`${plain.path}/`, plain.path.toUpperCase()]) {
      const other = uniqueId('variants');
      await registerViaApi(stack.app.url, registration(spec, other), API_AUTH);
      expect((await send(stack.app.url, { ...json(spec.valid(other)), path })).status).toBe(200);
      expect((await snapshot(env.client, workflowIdOf(spec, other))).state.status).toBe(spec.finalStatus);
    }
  });

  const rows = ROWS.filter((r) => !r.only || r.only(spec));
  it.each(rows)('$name: documented answer, nothing changed or created', async (row) => {
    const app = row.fenced ? fenced : stack.app;
    const target = targets.get(spec.label)!;
    const broken = row.breakIt(spec.valid(target), spec);
    await expectRefused(app, spec, broken, expectedRefusal(spec, row, broken), target);
    const fresh = uniqueId('fresh');
    const brokenFresh = row.breakIt(spec.valid(fresh), spec);
    await expectRefused(app, spec, brokenFresh, expectedRefusal(spec, row, brokenFresh), target, fresh);
  });

  it('accepts extra fields it does not read, odd ones included, and keeps none of them', async () => {
    const id = uniqueId('extra');
    await registerViaApi(stack.app.url, registration(spec, id), API_AUTH);
    const m = spec.valid(id);
    const text = objectText([
      ...Object.entries(m.body).map(([k, v]): [string, string] => [k, JSON.stringify(v)]),
      ['__proto__', JSON.stringify({ polluted: true })],
      ['constructor', JSON.stringify({ prototype: { polluted: true } })],
      ['\u202eunexpected\u0000', JSON.stringify('\ud800 lone surrogate')],
      ['nested', deep(2_000)],
    ]);
    expect((await send(stack.app.url, json(m, text))).status).toBe(200);
    const { state } = await snapshot(env.client, workflowIdOf(spec, id));
    expect(state.status).toBe(spec.finalStatus);
    expect(JSON.stringify(state)).not.toMatch(/polluted|lone surrogate/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it(`survives random broken callbacks (${HTTP_RUNS} runs): never 5xx, never a change`, async () => {
    const target = targets.get(spec.label)!;
    const before = await snapshot(env.client, workflowIdOf(spec, target));
    const valid = spec.valid(target);
    const garbage = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => json(valid, JSON.stringify(v))),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => json(valid, Buffer.from(bytes).toString('latin1'))),
      fc
        .tuple(
          fc.constantFrom(spec.idField, spec.statusField),
          fc.oneof(fc.constant(null), fc.boolean(), fc.object({ maxDepth: 2 })),
        )
        .map(([field, value]) => json(valid, { ...valid.body, [field]: value })),
      // Signhost reads any content type (its checksum decides), so there the body is what breaks.
      fc.string().map((ct) => ({
        ...json(valid, spec.provider === 'signhost' ? 'Id=x&Status=30' : undefined),
        headers: { ...valid.headers, 'content-type': `text/${ct.replace(/[^a-z]/g, '') || 'x'}` },
      })),
    );
    await fc.assert(
      fc.asyncProperty(garbage, async (req) => {
        const res = await send(stack.app.url, req);
        expect(res.status).toBeLessThan(500);
        expect(spec.provider === 'signhost' ? [200] : [400, 401, 404, 413, 415]).toContain(res.status);
      }),
      { numRuns: HTTP_RUNS },
    );
    expect(await snapshot(env.client, workflowIdOf(spec, target))).toEqual(before);
  });
});

describe('evrotrust: no credentials, so an unregistered transaction is unknown', () => {
  it('answers 404 to a well-formed callback about a transaction nobody registered, and creates nothing', async () => {
    const spec = SPECS.find((s) => s.provider === 'evrotrust')!;
    const fresh = uniqueId('forged');
    await expectRefused(
      stack.app,
      spec,
      json(spec.valid(fresh)),
      'unknown-transaction',
      targets.get(spec.label)!,
      fresh,
    );
  });
});

describe('the process after all of it', () => {
  it('is up and ready', async () => {
    for (const app of [stack.app, fenced]) {
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
    }
  });
});
