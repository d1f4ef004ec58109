// A cluster nobody set up for Countersign: a real dev server without our search attributes.
// Startup refuses with the attribute named and the command that creates it, /readyz is red
// and says the same, and a start Temporal refuses is answered 500 with the cause in the log
// (never 503 "retry later", which would have providers retry forever). Once the attributes
// are created, the same running app turns ready and registers transactions.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SigningProvider, SigningStatus, ALL_SEARCH_ATTRIBUTES } from '../../src/common/search-attributes';
import { checkTemporalReadiness, indexedValueType } from '../../src/temporal/readiness';
import { capturingLogger, startApp, type RunningApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { send } from '../helpers/http';
import { freePort } from '../helpers/ports';
import { registration, SECRETS, SPECS, workflowIdOf } from '../helpers/provider-specs';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let address: string;
let app: RunningApp;
const log = capturingLogger('info');

beforeAll(async () => {
  env = await startDevServerEnv({ searchAttributes: [] });
  address = env.address;
  const config = testConfig({ ...SECRETS, TEMPORAL_ADDRESS: address });
  app = await startApp(config, env.client, log.logger);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await env?.teardown();
});

const api = (body: unknown) =>
  send(app.url, {
    path: '/transactions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.COUNTERSIGN_API_TOKEN}` },
    body: JSON.stringify(body),
  });

/** Runs `npm run server`'s entry point against the cluster; resolves with its exit code and output. */
function runServer(extraEnv: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const root = join(__dirname, '..', '..');
  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'src', 'server.ts')], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', TEMPORAL_ADDRESS: address, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => void (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => void (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('a cluster without the search attributes', () => {
  it('reports every missing attribute with the command that creates it', async () => {
    const report = await checkTemporalReadiness(env.connection, { namespace: 'default', address });
    expect(report.problems.map((p) => p.problem)).toEqual(
      ALL_SEARCH_ATTRIBUTES.map((k): unknown => expect.stringContaining(`search attribute ${k.name} (`)),
    );
    expect(report.problems[0].fix).toBe(
      `temporal operator search-attribute create --address ${address} --namespace default --name SigningProvider --type Keyword`,
    );
  });

  it('reports a namespace that does not exist, with its create command', async () => {
    const report = await checkTemporalReadiness(env.connection, { namespace: 'no-such-namespace', address });
    expect(report.problems).toEqual([
      {
        problem: 'namespace no-such-namespace does not exist',
        fix: `temporal operator namespace create --address ${address} --namespace no-such-namespace --retention 30d`,
      },
    ]);
  });

  it('stops the receivers process at startup, naming the attribute and the command', async () => {
    const { code, output } = await runServer({ PORT: String(await freePort()) });
    expect(code).toBe(1);
    expect(output).toContain('search attribute SigningProvider (Keyword) is not registered');
    expect(output).toContain(
      `temporal operator search-attribute create --address ${address} --namespace default --name SigningStatus --type Keyword`,
    );
  }, 60_000);

  it('turns /readyz red, naming what is missing', async () => {
    const res = await fetch(`${app.url}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; detail: string };
    expect(body.status).toBe('misconfigured');
    expect(body.detail).toContain('search attribute SigningExternalId (Keyword) is not registered');
  });

  it('answers a refused registration 500 with the cause in the log, not 503', async () => {
    const spec = SPECS.find((s) => s.provider === 'signicat')!;
    const res = await api(registration(spec, uniqueId()));
    expect(res.status).toBe(500);
    expect((JSON.parse(res.text) as { error: string }).error).toContain('INVALID_ARGUMENT');
    expect(log.text()).toMatch(/no mapping defined for search attribute Signing/);
  });

  it.each(SPECS.filter((s) => s.authenticated).map((s) => [s.label, s] as const))(
    'answers a %s callback that would start a workflow with the provider’s error answer, not 503',
    async (_label, spec) => {
      const id = uniqueId();
      const m = spec.valid(id);
      const res = await send(app.url, {
        path: m.path,
        headers: { 'content-type': 'application/json', ...m.headers },
        body: JSON.stringify(m.body),
      });
      expect(res.status).toBe(spec.answer('server-error'));
      expect(res.status).not.toBe(503);
      expect(log.text()).toContain(workflowIdOf(spec, id));
    },
  );
});

describe('a search attribute of the wrong type', () => {
  it('is reported with the type it has and the one needed', async () => {
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: { [SigningStatus.name]: 1 /* Text */ },
    });
    const report = await checkTemporalReadiness(env.connection, {
      namespace: 'default',
      searchAttributes: [SigningStatus],
    });
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0].problem).toContain('SigningStatus is registered as Text, Countersign needs Keyword');
    await env.connection.operatorService.removeSearchAttributes({
      namespace: 'default',
      searchAttributes: [SigningStatus.name],
    });
  });
});

describe('once the attributes are created', () => {
  it('turns ready and registers transactions', async () => {
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, indexedValueType(k)])),
    });
    const report = await checkTemporalReadiness(env.connection, {
      namespace: 'default',
      searchAttributes: [SigningProvider],
    });
    expect(report.problems).toEqual([]);
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
    const spec = SPECS.find((s) => s.provider === 'signicat')!;
    expect((await api(registration(spec, uniqueId()))).status).toBe(201);
  });
});
