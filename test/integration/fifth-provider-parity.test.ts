// A fifth provider is one folder and one registry line: the registry below is the built-in one
// plus test/fixtures/providers/acme-sign, and nothing else names it, yet the development tools
// start its simulator with the four others, the demo plays its scenarios, and a whole
// Countersign (real Temporal, real receivers) tracks its envelopes to their end, its follow-up
// and its documents reading its simulator over loopback HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TransactionState } from '../../src/common/types';
import { runScenarios } from '../../src/demo/run-scenarios';
import { scenariosOf } from '../../src/demo/scenarios';
import { createSpool } from '../../src/providers/kit/download/spool';
import { BUILT_IN_PROVIDERS, ProviderRegistry } from '../../src/providers/registry';
import { demoProviders, portVariable, simulatorCredentials, startSimulators } from '../../src/simulators';
import { provider as acmeSign } from '../fixtures/providers/acme-sign';
import { AcmeSignSimulator } from '../fixtures/providers/acme-sign/simulator';
import { ACME_MODULE } from '../conformance/subjects';
import { testConfig } from '../helpers/config';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv } from '../helpers/temporal';

const registry = new ProviderRegistry([...BUILT_IN_PROVIDERS, acmeSign]);
const providers = demoProviders(registry);

function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => r(port));
    });
  });
}

it('gives the development tools five providers: their simulators, credentials, ports and scenarios', () => {
  expect(providers.map((p) => p.module.name)).toEqual([...BUILT_IN_PROVIDERS.map((m) => m.name), 'acme-sign']);
  expect(Object.keys(simulatorCredentials({}, providers))).toContain('ACME_SIGN_SECRET');
  expect(providers.map((p) => portVariable(p.module))).toContain('ACME_SIGN_SIMULATOR_PORT');
  const ports = providers.map((p) => p.demo.simulator.port);
  expect(new Set(ports).size).toBe(ports.length);
  const acmeScenarios = scenariosOf(providers).filter((s) => s.provider === 'acme-sign');
  expect(acmeScenarios.map((s) => s.title)).toEqual(['viewed, signed', 'callback lost, polled']);
});

describe('five simulators over loopback', () => {
  let sims: Awaited<ReturnType<typeof startSimulators>>;
  beforeAll(async () => {
    sims = await startSimulators({ countersignUrl: 'http://127.0.0.1:9', providers });
  });
  afterAll(() => sims?.close());

  it('starts one per provider, each answering its control API', async () => {
    expect(Object.keys(sims.simulators)).toHaveLength(5);
    expect(Object.keys(sims.apiUrls)).toContain('ACME_SIGN_API_URL');
    for (const url of Object.values(sims.apiUrls)) {
      const res = await fetch(`${url}/_simulator/deliveries`);
      expect({ url, status: res.status, body: await res.json() }).toEqual({ url, status: 200, body: [] });
    }
  });

  it("downloads acme-sign's signed document from its simulator with the module's documents()", async () => {
    const acme = sims.get('acme-sign', AcmeSignSimulator);
    const envelope = acme.createEnvelope();
    await acme.setState(envelope.envelopeId, 'signed');
    const config = testConfig({ COUNTERSIGN_PROVIDER_MODULES: ACME_MODULE, ...sims.apiUrls });
    const dir = mkdtempSync(join(tmpdir(), 'countersign-acme-'));
    const spool = createSpool(dir, 1024 * 1024);
    try {
      const tx = { externalId: envelope.envelopeId, workflowId: `signing:acme-sign:${envelope.envelopeId}` };
      const documents = await acmeSign.documents!(config.providers['acme-sign'] as never)(
        tx as TransactionState,
        { timeoutMs: 5000, maxBytes: 1024 * 1024 },
        spool.write,
      );
      expect(documents).toHaveLength(1);
      expect(documents[0].spooled?.head.toString('latin1')).toMatch(/^%PDF-/);
    } finally {
      await spool.discard();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("acme-sign's demo scenarios against a whole Countersign", () => {
  let env: TestWorkflowEnvironment;
  let stack: Stack;
  let sims: Awaited<ReturnType<typeof startSimulators>>;
  const acme = providers.filter((p) => p.module.name === 'acme-sign');
  const credentials = simulatorCredentials({}, acme);

  beforeAll(async () => {
    const port = await freePort();
    const apiUrls = { ACME_SIGN_API_URL: `http://127.0.0.1:${port}` };
    env = await startDevServerEnv();
    stack = await startStack(
      env,
      testConfig({ COUNTERSIGN_PROVIDER_MODULES: ACME_MODULE, ...apiUrls, ...credentials }),
    );
    sims = await startSimulators({
      countersignUrl: stack.app.url,
      providers: acme,
      credentials,
      ports: { 'acme-sign': port },
    });
  }, 120_000);

  afterAll(async () => {
    await sims?.close();
    await stack?.stop();
    await env?.teardown();
  });

  it('ends each as it expects: signed by a verified callback, and by a poll when the callback is lost', async () => {
    const { results } = await runScenarios({
      endpoints: {
        countersign: stack.app.url,
        simulators: { 'acme-sign': sims.simulators['acme-sign'].url },
        credentials,
      },
      scenarios: scenariosOf(acme),
      registry,
      output: { write: () => undefined, isTTY: false },
      runId: `fifth-${Date.now().toString(36)}`,
      beatMs: 100,
      timeoutMs: 45_000,
    });
    expect(
      results.map((r) => ({ title: r.scenario.title, ok: r.ok, error: r.error, status: r.state?.status })),
    ).toEqual(scenariosOf(acme).map((s) => ({ title: s.title, ok: true, error: undefined, status: s.expect.status })));
  }, 90_000);
});
