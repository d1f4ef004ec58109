// Each built-in provider's sample payloads (src/providers/<name>/samples/) go through its own
// receiver, authenticated as the sample's headers prove, and say what the sample expects.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { createProviders } from '../../src/providers';
import { receiveCallback } from '../../src/providers/provider';
import { BUILT_IN_PROVIDERS } from '../../src/providers/registry';

interface Sample {
  description: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  expect: { kind: string; externalId: string; status: string; verified: boolean };
}

// The credentials the samples were made with.
const config = loadConfig({
  LOG_LEVEL: 'silent',
  SIGNHOST_SHARED_SECRET: 'sample-shared-secret',
  SIGNICAT_CALLBACK_AUTHORIZATION: 'Bearer sample-callback-authorization',
  PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: 'X-Countersign-Key: sample-callback-key',
});
const providers = createProviders(config);

const samplesOf = (name: string) => {
  const dir = join(__dirname, '..', '..', 'src', 'providers', name, 'samples');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as Sample] as const)
    : [];
};

describe.each(BUILT_IN_PROVIDERS.map((m) => m.name))('%s samples', (name) => {
  const samples = samplesOf(name);

  it('has samples', () => {
    expect(samples.length).toBeGreaterThan(0);
  });

  it.each(samples)('%s', (_file, sample) => {
    const text = JSON.stringify(sample.body);
    const outcome = receiveCallback(providers[name], {
      path: sample.path,
      headers: Object.fromEntries(Object.entries(sample.headers).map(([k, v]) => [k.toLowerCase(), v])),
      rawBody: Buffer.from(text),
      json: JSON.parse(text),
      receivedAt: '2026-12-01T10:00:00.000Z',
    });
    expect(outcome).toMatchObject({
      kind: 'events',
      authenticated: sample.expect.verified,
      ref: { provider: name, kind: sample.expect.kind, externalId: sample.expect.externalId },
    });
    if (outcome.kind !== 'events') return;
    expect(outcome.events.filter((e) => e.status !== undefined).at(-1)?.status).toBe(sample.expect.status);
  });
});
