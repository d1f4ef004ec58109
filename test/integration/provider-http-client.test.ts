// The provider HTTP client against real loopback servers: retries and backoff on 5xx, 429
// and network faults, Retry-After, per-attempt timeouts, no retry on 401/403, and how the
// follow-up activity hands these failures to Temporal.
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { createFollowUp } from '../../src/activities/follow-up';
import { ProviderAuthError, ProviderUnavailableError } from '../../src/providers/http/errors';
import {
  createProviderHttpClient,
  type ProviderHttpClientOptions,
} from '../../src/providers/http/provider-http-client';
import { TokenBucket } from '../../src/providers/http/token-bucket';
import type { Provider } from '../../src/providers/provider';
import type { FollowUpRequest } from '../../src/common/types';
import { closedPortUrl, scriptedServer, type ScriptedAnswer, type ScriptedServer } from '../helpers/scripted-server';

const NOW = Date.parse('2026-03-01T12:00:00Z');
let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Client whose waits are recorded instead of slept (the requests themselves are real). */
function client(baseUrl: string, extra: Partial<ProviderHttpClientOptions> = {}) {
  const slept: number[] = [];
  const http = createProviderHttpClient({
    provider: 'testprovider',
    baseUrl,
    maxAttempts: 3,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    random: () => 0.5,
    clock: { now: () => NOW, sleep: async (ms) => void slept.push(ms) },
    ...extra,
  });
  return { http, slept };
}

async function serve(answers: ScriptedAnswer[]) {
  server = await scriptedServer(answers);
  return server;
}

const get = { operation: 'get thing', method: 'GET' as const, path: '/thing/1' };

it('retries 5xx with growing, jittered backoff and returns the answer that worked', async () => {
  const s = await serve([{ status: 503 }, { status: 502 }, { status: 200, body: '{"ok":true}' }]);
  const { http, slept } = client(s.url);
  const res = await http.request(get);
  expect(res).toMatchObject({ status: 200, text: '{"ok":true}' });
  expect(s.seen.map((r) => r.url)).toEqual(['/thing/1', '/thing/1', '/thing/1']);
  // random 0.5: three quarters of a ceiling that doubles from 100 ms.
  expect(slept).toEqual([75, 150]);
});

it('waits what Retry-After says on 429, in seconds or as a date', async () => {
  const s = await serve([
    { status: 429, headers: { 'retry-after': '2' } },
    { status: 503, headers: { 'retry-after': 'Sun, 01 Mar 2026 12:00:05 GMT' } },
    { status: 200, body: '{}' },
  ]);
  const { http, slept } = client(s.url);
  await http.request(get);
  expect(slept).toEqual([2000, 5000]);
});

it('leaves a long Retry-After to Temporal: fails at once, retryable, with the delay', async () => {
  const s = await serve([{ status: 429, headers: { 'retry-after': '120' } }, { status: 200 }]);
  const { http, slept } = client(s.url);
  const err = await http.request(get).catch((e: unknown) => e);
  expect(err).toMatchObject({ name: 'ProviderUnavailableError', retryable: true, retryAfterMs: 120_000, status: 429 });
  expect(s.seen).toHaveLength(1);
  expect(slept).toEqual([]);
});

it.each([401, 403])('does not retry %s: credentials refused is ProviderAuthError, not retryable', async (status) => {
  const s = await serve([{ status }, { status: 200 }]);
  const { http } = client(s.url);
  const err = await http.request(get).catch((e: unknown) => e);
  expect(err).toMatchObject({ name: 'ProviderAuthError', retryable: false, status, provider: 'testprovider' });
  expect(s.seen).toHaveLength(1);
});

it('does not retry other 4xx, and accepts the statuses the caller expects (410 Gone)', async () => {
  const s = await serve([{ status: 404 }, { status: 410, body: '{"Status":30}' }]);
  const { http } = client(s.url);
  await expect(http.request(get)).rejects.toMatchObject({
    name: 'ProviderRequestError',
    retryable: false,
    status: 404,
  });
  expect(await http.request({ ...get, acceptStatuses: [410] })).toMatchObject({ status: 410, text: '{"Status":30}' });
  expect(s.seen).toHaveLength(2);
});

it('gives up after its attempts on 5xx, without echoing the body (it may hold personal data)', async () => {
  const s = await serve([{ status: 500, body: '{"error":"signer Maria Silva, CPF 307.625.739-02"}' }]);
  const { http } = client(s.url);
  const err = (await http.request(get).catch((e: unknown) => e)) as Error;
  expect(err).toMatchObject({ name: 'ProviderUnavailableError', retryable: true, status: 500 });
  expect(err.message).toBe('testprovider get thing: HTTP 500 after 3 attempts');
  expect(s.seen).toHaveLength(3);
});

it('retries network errors (connection refused)', async () => {
  const { http, slept } = client(await closedPortUrl());
  const err = (await http.request(get).catch((e: unknown) => e)) as Error;
  expect(err).toMatchObject({ name: 'ProviderUnavailableError', retryable: true });
  expect(err.message).toMatch(/network error ECONNREFUSED after 3 attempts/);
  expect(slept).toHaveLength(2);
});

it('times out each attempt on its own and retries', async () => {
  const s = await serve([
    { status: 200, hang: true },
    { status: 200, body: '{"late":false}' },
  ]);
  const { http } = client(s.url, { timeoutMs: 150 });
  const res = await http.request(get);
  expect(res.text).toBe('{"late":false}');
  expect(s.seen).toHaveLength(2);
});

it('sends the exact body and the caller’s headers, replacing defaults case-insensitively', async () => {
  const s = await serve([{ status: 200 }]);
  const { http } = client(`${s.url}/base/`);
  const body = '{"b":1,"a":2}';
  await http.request({
    operation: 'post',
    method: 'POST',
    path: '/x',
    body,
    headers: { Accept: 'application/vnd.test+json', Token: 't' },
  });
  expect(s.seen[0]).toMatchObject({ method: 'POST', url: '/base/x', body });
  expect(s.seen[0].headers).toMatchObject({
    accept: 'application/vnd.test+json',
    token: 't',
    'content-type': 'application/json',
  });
});

it('takes a rate-limit token per attempt and refuses, sending nothing, when the wait is too long', async () => {
  const s = await serve([{ status: 503 }, { status: 200 }]);
  let t = 0;
  const waits: number[] = [];
  const bucketClock = { now: () => t, sleep: async (ms: number) => void waits.push(ms) };
  const rateLimiter = new TokenBucket({ ratePerSecond: 1, burst: 1, clock: bucketClock });
  const { http } = client(s.url, { rateLimiter, maxRateLimitWaitMs: 1500 });
  await http.request(get); // 503 then 200: two tokens, the second waited for
  expect(waits).toEqual([1000]);
  // Two more tokens are now reserved ahead (t has not moved): the wait exceeds 1.5 s.
  await expect(http.request(get)).rejects.toMatchObject({
    name: 'ProviderRateLimitedError',
    retryable: true,
    retryAfterMs: 2000,
  });
  expect(s.seen).toHaveLength(2);
  t += 5000;
  await http.request(get);
  expect(s.seen).toHaveLength(3);
});

describe('the follow-up activity', () => {
  const activityEnv = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  const req: FollowUpRequest = {
    ref: { provider: 'signhost', kind: 'signing', externalId: 'x' },
    workflowId: 'signing:signhost:x',
    attempt: 1,
  };
  const failingWith = (err: Error) => ({
    signhost: { followUp: async () => Promise.reject(err) } as unknown as Provider,
  });

  it('turns credentials refused into a non-retryable ApplicationFailure typed by the error name', async () => {
    const activity = createFollowUp(
      failingWith(
        new ProviderAuthError('HTTP 401: credentials refused', {
          provider: 'signhost',
          operation: 'get transaction',
          status: 401,
        }),
      ),
    );
    const err = await activityEnv()
      .run(activity, req)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({
      type: 'ProviderAuthError',
      nonRetryable: true,
      message: 'signhost get transaction: HTTP 401: credentials refused',
    });
  });

  it('keeps an outage retryable, no sooner than Retry-After', async () => {
    const activity = createFollowUp(
      failingWith(
        new ProviderUnavailableError('HTTP 503', {
          provider: 'signhost',
          operation: 'get transaction',
          retryAfterMs: 90_000,
        }),
      ),
    );
    const err = await activityEnv()
      .run(activity, req)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'ProviderUnavailableError', nonRetryable: false, nextRetryDelay: 90_000 });
  });

  it('lets any other error through untouched', async () => {
    const activity = createFollowUp(failingWith(new TypeError('bug')));
    await expect(activityEnv().run(activity, req)).rejects.toMatchObject({ name: 'TypeError', message: 'bug' });
  });
});
