// The provider conformance suite: what every provider module must do, declared once and run
// over each subject of test/conformance/subjects.ts (the built-in providers and an operator's
// own module alike). Pure checks: it calls the module's own functions, no sockets; the HTTP
// and follow-up parts are in test/integration/provider-conformance.test.ts.
//
// Capabilities a module may lack (follow-up, documents, samples, simulator, demo) are checked when
// it declares them and skipped, by name, when it does not: the skipped rows are the list of
// what it still needs to be at parity with the built-in ones (docs/providers.md).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { join } from 'node:path';
import { DURATION_PATTERN } from '../../src/common/duration';
import { createProviders } from '../../src/providers';
import { REFUSALS, receiveCallback, type CallbackRequest, type Provider } from '../../src/providers/provider';
import { SimulatorBase } from '../../src/providers/kit/simulator/simulator-base';
import { ProviderRegistry } from '../../src/providers/registry';
import { demoProviders } from '../../src/simulators/demo-providers';
import { testConfig } from '../helpers/config';
import type { CallbackMessage, ProviderSpec } from '../helpers/provider-specs';
import type { Capability, ConformanceSubject } from './subjects';

interface Sample {
  description: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  expect: { kind: string; externalId: string; status: string; verified: boolean };
}

/** A JSON sample file's body, as the module received it. */
function request(text: string, headers: Record<string, string | undefined>, receivedAt: string): CallbackRequest {
  let json: unknown;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { path: '/', headers, rawBody: Buffer.from(text, 'utf8'), json, receivedAt };
}

const AT = '2026-12-01T10:00:00.000Z';
const send = (provider: Provider, m: CallbackMessage, receivedAt = AT) =>
  receiveCallback(provider, request(JSON.stringify(m.body), m.headers, receivedAt));

function keysOf(provider: Provider, spec: ProviderSpec, m: CallbackMessage, receivedAt = AT): string[] {
  const outcome = send(provider, m, receivedAt);
  if (outcome.kind !== 'events') throw new Error(`${spec.label}: not accepted (${JSON.stringify(outcome)})`);
  return outcome.events.map((e) => e.key);
}

/**
 * A test for a capability the module does not declare: skipped, saying what is missing; a
 * failure instead when its subject requires it (a built-in provider must not lose one).
 */
function missing(subject: ConformanceSubject, capability: Capability, needs: string) {
  const title = `${capability}: not declared by ${subject.module.name}`;
  if (subject.requires?.includes(capability))
    it(`${title}, which requires it`, () => {
      throw new Error(`${subject.module.name} must have ${needs}`);
    });
  else it.skip(`${title}, skipped (needs ${needs})`, () => undefined);
}

const samplesIn = (folder: string) => {
  const dir = join(folder, 'samples');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as Sample] as const)
    : [];
};

/** Declares the conformance tests of one provider module. */
export function providerConformance(subject: ConformanceSubject): void {
  const { module, specs, folder } = subject;
  const name = module.name;
  const config = testConfig(subject.env);
  const provider = createProviders(config)[name];
  const settings = config.providers[name];

  describe('module', () => {
    it('is registered under its name, with a callback spec for each kind it tracks', () => {
      expect(provider).toBeDefined();
      expect(config.providerModules.names).toContain(name);
      expect(specs.map((s) => s.kind).sort()).toEqual([...module.kinds].sort());
      for (const spec of specs) expect(spec.provider).toBe(name);
    });

    it('declares every variable under its prefix, its guards and account variables among them', () => {
      const declared = Object.keys(module.env);
      expect(declared.length).toBeGreaterThan(0);
      for (const variable of declared) expect(variable).toMatch(new RegExp(`^${module.envPrefix}_[A-Z0-9_]+$`));
      expect(module.callbackGuards.length).toBeGreaterThan(0);
      for (const variable of [...module.callbackGuards, ...(module.accountVariables ?? [])])
        expect(declared).toContain(variable);
    });

    it('declares follow-up defaults as durations', () => {
      expect(module.followUpDefaults.firstAfter).toMatch(DURATION_PATTERN);
      expect(module.followUpDefaults.maxInterval).toMatch(DURATION_PATTERN);
    });

    it('answers an accepted callback 2xx and each refusal as its spec documents', () => {
      expect(provider.answer('accepted').status).toBeGreaterThanOrEqual(200);
      expect(provider.answer('accepted').status).toBeLessThan(300);
      const answers = Object.fromEntries(REFUSALS.map((r) => [r, provider.answer(r).status]));
      expect(answers).toEqual(Object.fromEntries(REFUSALS.map((r) => [r, specs[0].answer(r)])));
    });

    it('publishes its callback schema (/openapi.json)', () => {
      expect(module.callbackSchema).toBeDefined();
    });

    it('serves its callback paths under /callbacks/<name>', () => {
      expect(provider.callbackPaths.length).toBeGreaterThan(0);
      for (const spec of specs) expect(spec.path.toLowerCase().startsWith(`/callbacks/${name}`)).toBe(true);
    });
  });

  describe.each(specs)('$kind callbacks', (spec) => {
    it('a valid callback authenticates and parses into events naming its transaction', () => {
      const outcome = send(provider, spec.valid('tx-1'));
      expect(outcome).toMatchObject({
        kind: 'events',
        authenticated: spec.authenticated,
        ref: { provider: name, kind: spec.kind, externalId: 'tx-1' },
      });
      if (outcome.kind !== 'events') return;
      expect(outcome.events.filter((e) => e.status !== undefined).at(-1)?.status).toBe(spec.finalStatus);
    });

    it('its events have stable keys: the same callback again, later, gives the same keys', () => {
      const first = keysOf(provider, spec, spec.valid('tx-1'));
      expect(first.length).toBeGreaterThan(0);
      expect(new Set(first).size).toBe(first.length);
      for (const key of first) expect(typeof key === 'string' && key.length > 0).toBe(true);
      expect(keysOf(provider, spec, spec.valid('tx-1'), '2026-12-02T08:30:00.000Z')).toEqual(first);
    });

    it('progress callbacks carry keys of their own, distinct from the final one', () => {
      const final = keysOf(provider, spec, spec.valid('tx-1'));
      const one = keysOf(provider, spec, spec.progress('tx-1', 1));
      const two = keysOf(provider, spec, spec.progress('tx-1', 2));
      expect(one.some((k) => !two.includes(k))).toBe(true);
      for (const key of [...one, ...two]) expect(final).not.toContain(key);
    });

    it('never throws on arbitrary JSON, and never makes events of it, even with the right credentials', () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 3 }), fc.boolean(), (json, withCredentials) => {
          const text = JSON.stringify(json) ?? '';
          const m = spec.valid('tx-1');
          const credentials = spec.credentialsFor ? spec.credentialsFor(text) : m.headers;
          const outcome = receiveCallback(provider, request(text, withCredentials ? credentials : {}, AT));
          expect(() => JSON.stringify(outcome)).not.toThrow();
          expect(outcome.kind).toBe('refused');
        }),
        { numRuns: 200 },
      );
    });

    if (spec.authenticated) {
      const broken = '{not json';
      it('refuses a callback without its credential before reading the body', () => {
        const m = spec.valid('tx-1');
        const headers = Object.fromEntries(
          Object.entries(m.headers).filter(([k]) => !spec.credentialHeaders.includes(k)),
        );
        expect(send(provider, { ...m, headers })).toMatchObject({ kind: 'refused', refusal: 'unauthorized' });
        expect(provider.authenticate(request(broken, headers, AT))).toMatchObject({ refusal: 'unauthorized' });
      });

      it('refuses a callback with a wrong credential before reading the body', () => {
        const m = spec.valid('tx-1');
        for (const header of spec.credentialHeaders) {
          const headers = { ...m.headers, [header]: `${m.headers[header] ?? ''}-guessed` };
          expect(send(provider, { ...m, headers })).toMatchObject({ kind: 'refused', refusal: 'unauthorized' });
          expect(provider.authenticate(request(broken, headers, AT))).toMatchObject({ refusal: 'unauthorized' });
        }
      });
    } else {
      it('sends no credential: its callbacks are accepted as unverified, their statuses marked so', () => {
        const outcome = send(provider, spec.valid('tx-1'));
        expect(outcome).toMatchObject({ kind: 'events', authenticated: false });
        if (outcome.kind !== 'events') return;
        for (const e of outcome.events.filter((x) => x.status !== undefined)) expect(e.unverified).toBe(true);
      });
    }
  });

  describe('capabilities', () => {
    if (module.followUp) {
      it('follow-up: builds from its settings without calling its API', () => {
        const calls: unknown[] = [];
        const fetch = (async (...args: unknown[]) => {
          calls.push(args);
          throw new Error('not at build time');
        }) as typeof globalThis.fetch;
        expect(typeof module.followUp!(settings, { fetch })).toBe('function');
        expect(calls).toEqual([]);
        if (module.canConfirm) expect(typeof module.canConfirm(settings)).toBe('boolean');
      });
    } else missing(subject, 'follow-up', '`followUp(settings, deps)` asking its status API');

    if (module.documents) {
      it('documents: builds a fetcher of signed documents from its settings', () => {
        expect(typeof module.documents!(settings)).toBe('function');
      });
    } else missing(subject, 'documents', '`documents(settings)` downloading the signed documents');

    const samples = samplesIn(folder);
    if (samples.length > 0) {
      const sampleProvider = createProviders(testConfig(subject.sampleEnv))[name];
      it.each(samples)('samples: %s parses as it expects', (_file, sample) => {
        const text = JSON.stringify(sample.body);
        const headers = Object.fromEntries(Object.entries(sample.headers).map(([k, v]) => [k.toLowerCase(), v]));
        const outcome = receiveCallback(sampleProvider, { ...request(text, headers, AT), path: sample.path });
        expect(outcome).toMatchObject({
          kind: 'events',
          authenticated: sample.expect.verified,
          ref: { provider: name, kind: sample.expect.kind, externalId: sample.expect.externalId },
        });
        if (outcome.kind !== 'events') return;
        expect(outcome.events.filter((e) => e.status !== undefined).at(-1)?.status).toBe(sample.expect.status);
      });
    } else missing(subject, 'samples', 'samples/*.json in its folder: a recorded callback and what it must become');

    const simulatorFile = join(folder, 'simulator.ts');
    if (existsSync(simulatorFile)) {
      it('simulator: its folder exports a simulator built on the shared simulator base', () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- found by convention, in whatever folder the module lives
        const exported = Object.values(require(simulatorFile) as Record<string, unknown>);
        expect(exported.some((v) => typeof v === 'function' && v.prototype instanceof SimulatorBase)).toBe(true);
      });
    } else missing(subject, 'simulator', 'simulator.ts in its folder: a SimulatorBase playing its API and callbacks');

    if (module.demo) {
      it('demo: its demo.ts builds its simulator from demo credentials under its prefix, and plays its own transactions', () => {
        const [{ demo }] = demoProviders(new ProviderRegistry([module]));
        expect(Number.isInteger(demo.simulator.port) && demo.simulator.port > 0).toBe(true);
        const credentials = demo.simulator.credentials({});
        for (const variable of Object.keys(credentials)) expect(Object.keys(module.env)).toContain(variable);
        const sim = demo.simulator.create({ countersignUrl: 'http://127.0.0.1:9', credentials, env: {} });
        expect(sim).toBeInstanceOf(SimulatorBase);
        expect(demo.scenarios.length).toBeGreaterThan(0);
        for (const scenario of demo.scenarios) {
          expect(scenario.provider).toBe(name);
          expect(module.kinds).toContain(scenario.kind);
        }
      });
    } else
      missing(
        subject,
        'demo',
        '`demo`, the path of a demo.ts: its simulator in `npm run simulators` and its demo scenarios',
      );
  });
}
