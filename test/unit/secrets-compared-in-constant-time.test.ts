// Every credential decision goes through the constant-time comparison: with the comparison
// forced to say "different", the right credentials are refused; forced to say "equal", wrong
// ones pass. A plain `===` anywhere on the way would break one of the two.
import { apiAuth } from '../../src/api/api-auth';
import * as secrets from '../../src/providers/kit/secrets-equal';
import { createProviders } from '../../src/providers';
import type { CallbackRequest } from '../../src/providers/provider';
import type { Request, Response } from 'express';
import { testConfig } from '../helpers/config';
import { SECRETS, SPECS } from '../helpers/provider-specs';
import { receiveCallback } from '../../src/providers/provider';

const providers = createProviders(testConfig({ ...SECRETS }));
const request = (body: unknown, headers: Record<string, string>): CallbackRequest => ({
  path: '/',
  headers,
  rawBody: Buffer.from(JSON.stringify(body)),
  json: body,
  receivedAt: '2026-01-01T00:00:00.000Z',
});

afterEach(() => jest.restoreAllMocks());

describe('secretsEqual', () => {
  it('tells equal from different, whatever the lengths', () => {
    expect(secrets.secretsEqual('s3cret', 's3cret')).toBe(true);
    expect(secrets.secretsEqual('s3cret', 's3cre')).toBe(false);
    expect(secrets.secretsEqual('', 's3cret')).toBe(false);
    expect(secrets.secretsEqual('s3cret'.repeat(1000), 's3cret')).toBe(false);
  });
});

describe.each(SPECS.filter((s) => s.authenticated))('$label credentials', (spec) => {
  const provider = providers[spec.provider];

  it('are refused when the constant-time comparison says they differ', () => {
    const m = spec.valid('tx-1');
    expect(receiveCallback(provider, request(m.body, m.headers))).toMatchObject({
      kind: 'events',
      authenticated: true,
    });
    jest.spyOn(secrets, 'secretsEqual').mockReturnValue(false);
    expect(receiveCallback(provider, request(m.body, m.headers))).toMatchObject({
      kind: 'refused',
      refusal: 'unauthorized',
    });
  });

  it('pass only when the constant-time comparison says they match', () => {
    const m = spec.valid('tx-1');
    const wrong = Object.fromEntries(spec.credentialHeaders.map((h) => [h, 'wrong']));
    const body = spec.provider === 'signhost' ? { ...m.body, Checksum: '0'.repeat(40) } : m.body;
    expect(receiveCallback(provider, request(body, { ...m.headers, ...wrong }))).toMatchObject({ kind: 'refused' });
    const spy = jest.spyOn(secrets, 'secretsEqual').mockReturnValue(true);
    expect(receiveCallback(provider, request(body, { ...m.headers, ...wrong }))).toMatchObject({ kind: 'events' });
    expect(spy).toHaveBeenCalled();
  });
});

describe('the application API token', () => {
  const run = (authorization: string | undefined) => {
    let passed = false;
    const res = { status: () => res, set: () => res, json: () => res } as unknown as Response;
    const req = { headers: { authorization }, socket: { remoteAddress: '203.0.113.9' } } as unknown as Request;
    apiAuth(SECRETS.COUNTERSIGN_API_TOKEN)(req, res, () => {
      passed = true;
    });
    return passed;
  };

  // Checked by behaviour: the right token passes, anything near it is refused.
  it('lets in the right bearer token only', () => {
    expect(run(`Bearer ${SECRETS.COUNTERSIGN_API_TOKEN}`)).toBe(true);
    expect(run(`Bearer ${SECRETS.COUNTERSIGN_API_TOKEN.replace(/.$/, '0')}`)).toBe(false);
    expect(run(`Bearer ${SECRETS.COUNTERSIGN_API_TOKEN}x`)).toBe(false);
    expect(run(SECRETS.COUNTERSIGN_API_TOKEN)).toBe(false);
    expect(run(undefined)).toBe(false);
  });
});
