import * as secrets from '../../../src/providers/kit/secrets-equal';
import { loadConfig } from '../../../src/config';
import { createProviders } from '../../../src/providers';
import type { CallbackRequest } from '../../../src/providers/provider';
import { authorizationMatches, createSignicat, SIGNICAT_STATUSES, signicat } from '../../../src/providers/signicat';
import { receiveCallback } from '../../../src/providers/provider';
import { settingsOf } from '../../../src/providers/module';

const SECRET = 'callback-secret-1';
const settings = (overrides: { callbackAuthorization?: string; callbackAuthorizationHeader?: string } = {}) => ({
  apiUrl: 'http://127.0.0.1:1',
  allowedIps: [],
  clientId: undefined,
  clientSecret: undefined,
  callbackAuthorization: SECRET,
  callbackAuthorizationHeader: 'authorization',
  ...overrides,
});
const provider = createSignicat(settings());
const body = (overrides: Record<string, unknown> = {}) => ({
  dossierId: 'D1',
  processId: 'P1',
  status: 'accepted',
  ...overrides,
});
const request = (
  json: unknown,
  headers: Record<string, string | undefined> = { authorization: SECRET },
): CallbackRequest => ({
  path: '/',
  headers,
  rawBody: Buffer.from(JSON.stringify(json ?? null)),
  json,
  receivedAt: '2026-01-01T00:00:00.000Z',
});

describe('Signicat callback parsing', () => {
  it.each([
    ['pending', 'in_progress', 'statusReported'],
    ['processing', 'in_progress', 'statusReported'],
    ['accepted', 'signed', 'signed'],
    ['rejected', 'rejected', 'rejected'],
    ['inconclusive', 'failed', 'failed'],
    ['failed', 'failed', 'failed'],
  ])('maps status %s to %s', (providerStatus, status, type) => {
    expect(receiveCallback(provider, request(body({ status: providerStatus })))).toEqual({
      kind: 'events',
      authenticated: true,
      dossierId: 'D1',
      ref: { provider: 'signicat', kind: 'signing', externalId: 'P1' },
      events: [
        {
          key: `status:${providerStatus}`,
          type,
          status,
          providerStatus,
          source: 'callback',
          receivedAt: '2026-01-01T00:00:00.000Z',
          details: { dossierId: 'D1' },
        },
      ],
    });
  });

  it('covers every documented status', () => {
    expect(Object.keys(SIGNICAT_STATUSES).sort()).toEqual([
      'accepted',
      'failed',
      'inconclusive',
      'pending',
      'processing',
      'rejected',
    ]);
  });

  it.each([['canceled'], ['expired'], ['toString'], ['__proto__']])(
    'keeps unknown status %p without a status change',
    (providerStatus) => {
      const outcome = receiveCallback(provider, request(body({ status: providerStatus })));
      expect(outcome).toMatchObject({
        kind: 'events',
        events: [{ key: `status:${providerStatus.toLowerCase()}`, type: 'statusReported', providerStatus }],
      });
      expect(outcome.kind === 'events' && outcome.events[0]).not.toHaveProperty('status');
    },
  );

  it('maps a capitalized status, keeping the value as sent', () => {
    expect(receiveCallback(provider, request(body({ status: 'Accepted' })))).toMatchObject({
      events: [{ key: 'status:accepted', status: 'signed', providerStatus: 'Accepted' }],
    });
  });

  it('allows unknown fields', () => {
    expect(receiveCallback(provider, request(body({ extra: { nested: true } })))).toMatchObject({ kind: 'events' });
  });

  it.each([
    ['missing processId', { dossierId: 'D1', status: 'accepted' }],
    ['missing dossierId', { processId: 'P1', status: 'accepted' }],
    ['missing status', { dossierId: 'D1', processId: 'P1' }],
    ['non-string status', body({ status: 1 })],
    ['empty status', body({ status: ' ' })],
    ['numeric processId', body({ processId: 42 })],
    ['empty processId', body({ processId: '' })],
    ['array body', [body()]],
    ['empty body', undefined],
  ])('refuses %s as invalid-payload', (_name, json) => {
    expect(receiveCallback(provider, request(json))).toMatchObject({ kind: 'refused', refusal: 'invalid-payload' });
  });
});

describe('Signicat callback authorization', () => {
  it.each([
    ['the exact value', { authorization: SECRET }],
    ['the value after a Bearer prefix', { authorization: `Bearer ${SECRET}` }],
  ])('accepts %s', (_name, headers) => {
    expect(receiveCallback(provider, request(body(), headers))).toMatchObject({ kind: 'events', authenticated: true });
  });

  it.each([
    ['no header', {}],
    ['an empty header', { authorization: '' }],
    ['a wrong value', { authorization: 'callback-secret-2' }],
    ['a wrong value after Bearer', { authorization: 'Bearer callback-secret-2' }],
    ['the value with another scheme', { authorization: `Basic ${SECRET}` }],
    ['the value plus a suffix', { authorization: `${SECRET}x` }],
    ['the value in another header', { 'x-authorization': SECRET }],
  ])('refuses %s as unauthorized, before reading the body', (_name, headers) => {
    // The body is invalid too: authorization is checked first, so the sender learns nothing.
    expect(receiveCallback(provider, request({ nonsense: true }, headers))).toEqual({
      kind: 'refused',
      refusal: 'unauthorized',
      detail: 'missing or wrong authorization header',
    });
  });

  it('does not strip Bearer when the configured value has it', () => {
    const bearer = createSignicat(settings({ callbackAuthorization: `Bearer ${SECRET}` }));
    expect(receiveCallback(bearer, request(body(), { authorization: `Bearer ${SECRET}` }))).toMatchObject({
      kind: 'events',
    });
    expect(receiveCallback(bearer, request(body(), { authorization: SECRET }))).toMatchObject({
      refusal: 'unauthorized',
    });
  });

  it('reads the configured header name', () => {
    const custom = createSignicat(settings({ callbackAuthorizationHeader: 'x-signicat-auth' }));
    expect(receiveCallback(custom, request(body(), { 'x-signicat-auth': SECRET }))).toMatchObject({ kind: 'events' });
    expect(receiveCallback(custom, request(body(), { authorization: SECRET }))).toMatchObject({
      refusal: 'unauthorized',
    });
  });

  it('compares with the constant-time helper', () => {
    const spy = jest.spyOn(secrets, 'secretsEqual');
    try {
      expect(authorizationMatches(`Bearer ${SECRET}`, SECRET)).toBe(true);
      expect(spy).toHaveBeenCalledWith(`Bearer ${SECRET}`, SECRET);
      expect(spy).toHaveBeenCalledWith(SECRET, SECRET);
      spy.mockClear();
      receiveCallback(provider, request(body(), { authorization: 'wrong' }));
      expect(spy).toHaveBeenCalledWith('wrong', SECRET);
    } finally {
      spy.mockRestore();
    }
  });

  it('without a configured value, takes callbacks as unauthenticated and warns', () => {
    const open = createSignicat(settings({ callbackAuthorization: undefined }));
    expect(receiveCallback(open, request(body(), {}))).toMatchObject({
      kind: 'events',
      authenticated: false,
      dossierId: 'D1',
    });
    expect(open.warnings).toEqual([expect.stringMatching(/SIGNICAT_CALLBACK_AUTHORIZATION/)]);
    expect(provider.warnings).toEqual([]);
  });

  it('answers 200 empty when accepted and 401 without detail when unauthorized', () => {
    expect(provider.answer('accepted')).toEqual({ status: 200 });
    expect(provider.answer('unauthorized')).toEqual({ status: 401 });
    expect(provider.answer('invalid-payload').status).toBe(400);
    expect(provider.answer('unknown-transaction').status).toBe(404);
    expect(provider.answer('unavailable').status).toBe(503);
  });
});

describe('Signicat configuration', () => {
  it('defaults the header to Authorization and lower-cases a configured one', () => {
    expect(settingsOf(loadConfig({}), signicat).callbackAuthorizationHeader).toBe('authorization');
    expect(
      settingsOf(loadConfig({ SIGNICAT_CALLBACK_AUTHORIZATION_HEADER: 'X-Signicat-Auth' }), signicat)
        .callbackAuthorizationHeader,
    ).toBe('x-signicat-auth');
    expect(() => loadConfig({ SIGNICAT_CALLBACK_AUTHORIZATION_HEADER: 'Bad Header:' })).toThrow(
      /SIGNICAT_CALLBACK_AUTHORIZATION_HEADER/,
    );
  });

  it('is registered', () => {
    const signicat = createProviders(loadConfig({ SIGNICAT_CALLBACK_AUTHORIZATION: SECRET })).signicat;
    expect(signicat?.name).toBe('signicat');
    expect(receiveCallback(signicat, request(body()))).toMatchObject({ kind: 'events', authenticated: true });
  });
});
