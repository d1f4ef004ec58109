import { createEvrotrust, EVROTRUST_STATUSES } from '../../../src/providers/evrotrust';
import type { CallbackRequest } from '../../../src/providers/provider';
import { receiveCallback } from '../../../src/providers/provider';

const provider = createEvrotrust({ allowedIps: [] });
const request = (json: unknown): CallbackRequest => ({
  path: '/document/ready',
  headers: {},
  rawBody: Buffer.from(JSON.stringify(json ?? null)),
  json,
  receivedAt: '2026-01-01T00:00:00.000Z',
});

describe('Evrotrust callback parsing', () => {
  it.each([
    [1, 'pending', 'statusReported'],
    [2, 'signed', 'signed'],
    [3, 'rejected', 'rejected'],
    [4, 'expired', 'expired'],
    [5, 'failed', 'failed'],
    [6, 'cancelled', 'cancelled'],
    [7, 'failed', 'failed'],
    [8, 'failed', 'failed'],
    [99, 'pending', 'statusReported'],
  ])('maps status %i to %s', (code, status, type) => {
    const outcome = receiveCallback(provider, request({ transactionID: 'T1', status: code }));
    expect(outcome).toMatchObject({
      kind: 'events',
      authenticated: false,
      ref: { provider: 'evrotrust', kind: 'signing', externalId: 'T1' },
      events: [{ key: `status:${code}`, status, type, providerStatus: String(code), source: 'callback' }],
    });
  });

  it('covers every documented code', () => {
    expect(Object.keys(EVROTRUST_STATUSES).map(Number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 99]);
  });

  it.each([['2'], ['signed'], ['Signed']])('accepts status %p as a string', (status) => {
    expect(receiveCallback(provider, request({ transactionID: 'T1', status }))).toMatchObject({
      events: [{ status: 'signed' }],
    });
  });

  it('accepts a numeric transactionID', () => {
    expect(receiveCallback(provider, request({ transactionID: 123456, status: 1 }))).toMatchObject({
      ref: { externalId: '123456' },
    });
  });

  it.each([
    [42, '42', 'status:42'],
    ['42', '42', 'status:42'],
    [0, '0', 'status:0'],
  ])('keeps unknown status %p on record without moving the transaction', (status, providerStatus, key) => {
    const outcome = receiveCallback(provider, request({ transactionID: 'T1', status }));
    expect(outcome).toMatchObject({ kind: 'events', events: [{ key, type: 'statusReported', providerStatus }] });
    expect(outcome.kind === 'events' && outcome.events[0].status).toBeUndefined();
  });

  it('accepts rejectReason null, with any status', () => {
    expect(receiveCallback(provider, request({ transactionID: 'T1', status: 2, rejectReason: null }))).toMatchObject({
      events: [{ status: 'signed' }],
    });
    const rejected = receiveCallback(provider, request({ transactionID: 'T1', status: 3, rejectReason: null }));
    expect(rejected).toMatchObject({ events: [{ status: 'rejected' }] });
    expect(rejected.kind === 'events' && 'reason' in rejected.events[0]).toBe(false);
  });

  it('keeps rejectReason with status 3', () => {
    const outcome = receiveCallback(
      provider,
      request({ transactionID: 'T1', status: 3, rejectReason: 'user declined' }),
    );
    expect(outcome).toMatchObject({ events: [{ reason: 'user declined', status: 'rejected' }] });
  });

  it.each([
    ['missing transactionID', { status: 2 }],
    ['missing status', { transactionID: 'T1' }],
    ['unknown status word', { transactionID: 'T1', status: 'maybe' }],
    ['negative status', { transactionID: 'T1', status: -1 }],
    ['empty transactionID', { transactionID: '', status: 2 }],
    ['status as object', { transactionID: 'T1', status: { code: 2 } }],
    ['array body', [1, 2]],
    ['empty body', undefined],
  ])('refuses %s as invalid-payload', (_name, json) => {
    expect(receiveCallback(provider, request(json))).toMatchObject({ kind: 'refused', refusal: 'invalid-payload' });
  });

  it('answers 200 with an empty body when accepted', () => {
    expect(provider.answer('accepted')).toEqual({ status: 200, body: '' });
    expect(provider.answer('unknown-transaction').status).toBe(404);
  });
});
