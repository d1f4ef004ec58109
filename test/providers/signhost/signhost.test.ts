import { createHash } from 'node:crypto';
import { createSignhost, signhostChecksum } from '../../../src/providers/signhost';
import { SIGNHOST_ACTIVITIES, SIGNHOST_STATUSES } from '../../../src/providers/signhost';
import type { CallbackRequest, Refusal } from '../../../src/providers/provider';
import { signhostPostback } from '../../helpers/signhost';
import { receiveCallback } from '../../../src/providers/provider';

const SECRET = 'SharedSecret';
const settings = {
  apiUrl: 'http://127.0.0.1:1',
  allowedIps: [],
  sharedSecret: SECRET as string | undefined,
  postbackAuthorization: undefined as string | undefined,
  appKey: undefined,
  apiKey: undefined,
  maxActivitiesPerPostback: 200,
};
const provider = createSignhost(settings);
/** No shared secret: nothing is verified, so the body's shape decides. */
const unsigned = createSignhost({ ...settings, sharedSecret: undefined });

const request = (json: unknown, headers: Record<string, string> = {}): CallbackRequest => ({
  path: '/',
  headers,
  rawBody: json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(json)),
  json,
  receivedAt: '2026-01-01T00:00:00.000Z',
});

const ID = 'b10ae331-af78-4e79-a39e-5b64693b6b68';
const minimal = (status: number, extra: Record<string, unknown> = {}) => ({
  Id: ID,
  Status: status,
  Checksum: signhostChecksum(ID, status, SECRET),
  ...extra,
});

describe('Signhost checksum', () => {
  it('matches the official test vector', () => {
    expect(signhostChecksum(ID, 20, 'SharedSecret')).toBe('cdc09eee2ed6df2846dcc193aedfef59f2834f8d');
  });

  it('changes with each input', () => {
    const base = signhostChecksum(ID, 20, SECRET);
    expect(signhostChecksum(ID, 30, SECRET)).not.toBe(base);
    expect(signhostChecksum(ID.replace('b10', 'b11'), 20, SECRET)).not.toBe(base);
    expect(signhostChecksum(ID, 20, 'other')).not.toBe(base);
  });

  it('accepts the official sample postback as authenticated', () => {
    const sample = signhostPostback({ id: ID, status: 20, secret: SECRET });
    expect(sample.Checksum).toBe('cdc09eee2ed6df2846dcc193aedfef59f2834f8d');
    expect(receiveCallback(provider, request(sample))).toMatchObject({
      kind: 'events',
      authenticated: true,
      ref: { externalId: ID },
    });
  });

  it('prefers the Checksum header to the body field', () => {
    const good = signhostChecksum(ID, 20, SECRET);
    expect(receiveCallback(provider, request(minimal(20, { Checksum: 'bad' }), { checksum: good }))).toMatchObject({
      authenticated: true,
    });
    expect(receiveCallback(provider, request(minimal(20), { checksum: 'bad' }))).toMatchObject({
      kind: 'refused',
      refusal: 'unauthorized',
    });
    expect(
      receiveCallback(provider, request(minimal(20, { Checksum: undefined }), { checksum: good.toUpperCase() })),
    ).toMatchObject({
      authenticated: true,
    });
    expect(receiveCallback(provider, request(minimal(20), { checksum: '' }))).toMatchObject({ authenticated: true });
  });

  it.each([
    ['missing', { Checksum: undefined }],
    ['null', { Checksum: null }],
    ['empty', { Checksum: '' }],
    ['computed with another secret', { Checksum: signhostChecksum(ID, 20, 'wrong') }],
    ['computed for another status', { Checksum: signhostChecksum(ID, 30, SECRET) }],
    [
      'in the legacy Id|FileId|Status form',
      { Checksum: createHash('sha1').update(`${ID}|file1|20|${SECRET}`).digest('hex') },
    ],
  ])('refuses a checksum that is %s', (_name, extra) => {
    expect(receiveCallback(provider, request(minimal(20, extra)))).toMatchObject({
      kind: 'refused',
      refusal: 'unauthorized',
    });
  });

  it('without a shared secret: unauthenticated, whatever the checksum', () => {
    const open = createSignhost({ ...settings, sharedSecret: undefined });
    expect(receiveCallback(open, request(minimal(20)))).toMatchObject({ kind: 'events', authenticated: false });
    expect(receiveCallback(open, request(minimal(20, { Checksum: 'garbage' })))).toMatchObject({
      kind: 'events',
      authenticated: false,
    });
    expect(receiveCallback(open, request(minimal(20, { Checksum: undefined })))).toMatchObject({
      kind: 'events',
      authenticated: false,
    });
  });
});

describe('Signhost security header', () => {
  const guarded = createSignhost({ ...settings, postbackAuthorization: 'let-me-in' });

  it('accepts the configured value', () => {
    expect(receiveCallback(guarded, request(minimal(20), { authorization: 'let-me-in' }))).toMatchObject({
      kind: 'events',
      authenticated: true,
    });
  });

  it.each([
    ['missing', {}],
    ['wrong', { authorization: 'let-me-inn' }],
    ['a prefix of it', { authorization: 'let-me' }],
  ])('refuses a header that is %s, even with a valid checksum', (_name, headers) => {
    expect(receiveCallback(guarded, request(minimal(20), headers))).toMatchObject({
      kind: 'refused',
      refusal: 'unauthorized',
    });
  });

  it('is not required when not configured', () => {
    expect(receiveCallback(provider, request(minimal(20), { authorization: 'anything' }))).toMatchObject({
      kind: 'events',
    });
  });
});

describe('Signhost postback parsing', () => {
  it('ignores the empty POST sent when a postback URL is registered', () => {
    expect(receiveCallback(provider, request(undefined))).toMatchObject({ kind: 'ignored' });
    const guarded = createSignhost({ ...settings, postbackAuthorization: 'let-me-in' });
    expect(receiveCallback(guarded, request(undefined))).toMatchObject({ kind: 'ignored' });
  });

  it.each(Object.entries(SIGNHOST_STATUSES).map(([code, e]) => [Number(code), e.status, e.type] as const))(
    'maps transaction status %i to %s (%s)',
    (code, status, type) => {
      const outcome = receiveCallback(provider, request(minimal(code)));
      expect(outcome).toMatchObject({
        kind: 'events',
        ref: { provider: 'signhost', kind: 'signing', externalId: ID },
        events: [{ key: `status:${code}`, type, status, providerStatus: String(code), source: 'callback' }],
      });
    },
  );

  it('covers every documented status with the contract mapping', () => {
    expect(Object.fromEntries(Object.entries(SIGNHOST_STATUSES).map(([c, e]) => [c, e.status]))).toEqual({
      5: 'pending',
      10: 'pending',
      20: 'in_progress',
      30: 'signed',
      40: 'rejected',
      50: 'expired',
      60: 'cancelled',
      70: 'failed',
    });
  });

  it('keeps an unknown status on record without a normalized status', () => {
    const outcome = receiveCallback(provider, request(minimal(80)));
    expect(outcome).toMatchObject({
      kind: 'events',
      events: [{ key: 'status:80', type: 'statusReported', providerStatus: '80' }],
    });
    expect((outcome as { events: { status?: string }[] }).events[0].status).toBeUndefined();
  });

  const documented = [101, 103, 104, 105, 202, 203, 204, 301, 302, 303, 401, 402, 403, 999];
  it.each(documented)('turns signer activity %i into a signerAction that moves no status', (code) => {
    const json = minimal(10, {
      Signers: [
        {
          Id: 'signer-1',
          Email: 'user@example.com',
          Mobile: '+31612345678',
          ScribbleName: 'John Doe',
          RejectReason: code === 202 ? 'wrong amount' : null,
          Activities: [
            {
              Id: `act-${code}`,
              Code: code,
              Activity: 'Whatever',
              Info: 'contract.pdf',
              CreatedDateTime: '2016-06-15T23:33:04+02:00',
            },
          ],
        },
      ],
    });
    const outcome = receiveCallback(provider, request(json));
    if (outcome.kind !== 'events') throw new Error(`expected events, got ${outcome.kind}`);
    const [activity, status] = outcome.events;
    expect(activity).toEqual({
      key: `activity:act-${code}`,
      type: 'signerAction',
      source: 'callback',
      receivedAt: '2026-01-01T00:00:00.000Z',
      providerStatus: String(code),
      ...(code === 202 && { reason: 'wrong amount' }),
      details: {
        code,
        activity: 'Whatever',
        signerId: 'signer-1',
        createdDateTime: '2016-06-15T23:33:04+02:00',
        ...(code === 105 && { fileId: 'contract.pdf' }),
      },
    });
    expect(status).toMatchObject({ key: 'status:10', status: 'pending' });
    expect(JSON.stringify(outcome.events)).not.toMatch(/example\.com|John Doe|31612345678/);
  });

  it('labels every documented activity code', () => {
    for (const code of documented) expect(SIGNHOST_ACTIVITIES[code]).toEqual(expect.any(String));
  });

  it('falls back to its own label when Signhost sends no activity name, and keeps unknown codes', () => {
    const json = minimal(10, {
      Signers: [
        {
          Id: 's',
          Activities: [
            { Id: 'a1', Code: 203 },
            { Id: 'a2', Code: 777, Activity: null, Info: null },
          ],
        },
      ],
    });
    expect(receiveCallback(provider, request(json))).toMatchObject({
      events: [
        { key: 'activity:a1', details: { activity: 'signed', code: 203 } },
        { key: 'activity:a2', providerStatus: '777', details: { activity: 'unknown' } },
        { key: 'status:10' },
      ],
    });
  });

  it('keeps every activity of every signer of the sample', () => {
    const outcome = receiveCallback(provider, request(signhostPostback({ id: ID, status: 30, secret: SECRET })));
    if (outcome.kind !== 'events') throw new Error('expected events');
    expect(outcome.events.map((e) => e.key)).toEqual([
      'activity:a1b2c3d4-e5f6-47a8-b9c0-d1e2f3a4b5c6',
      'activity:b2c3d4e5-f6a7-48b9-c0d1-e2f3a4b5c6d7',
      'activity:c3d4e5f6-a7b8-49c0-d1e2-f3a4b5c6d7e8',
      'activity:f6a7b8c9-d0e1-42f3-a4b5-c6d7e8f9a0b1',
      'activity:e1f2a3b4-c5d6-47e8-f9a0-b1c2d3e4f5a6',
      'status:30',
    ]);
    expect(JSON.stringify(outcome.events)).not.toMatch(/@|John|Jane|\+31/);
  });

  it('gives status 40 the rejecting signer’s reason and status 60 the cancellation reason', () => {
    const rejected = minimal(40, {
      Signers: [
        { Id: 'ok', RejectReason: null, Activities: [] },
        { Id: 'no', RejectReason: 'wrong amount', Activities: [{ Id: 'r', Code: 202, Activity: 'Rejected' }] },
      ],
    });
    expect(receiveCallback(provider, request(rejected))).toMatchObject({
      events: [
        { key: 'activity:r', reason: 'wrong amount' },
        { key: 'status:40', status: 'rejected', reason: 'wrong amount', details: { signerId: 'no' } },
      ],
    });
    expect(
      receiveCallback(provider, request(minimal(60, { CancellationReason: 'sent to the wrong person' }))),
    ).toMatchObject({
      events: [{ key: 'status:60', status: 'cancelled', reason: 'sent to the wrong person' }],
    });
    const signed = receiveCallback(provider, request(minimal(30, { CancellationReason: 'not relevant' })));
    expect((signed as { events: { reason?: string }[] }).events[0].reason).toBeUndefined();
  });

  it.each([
    ['missing Id', { Id: undefined }],
    ['empty Id', { Id: '' }],
    ['numeric Id', { Id: 42 }],
    ['missing Status', { Status: undefined }],
    ['Status as a string', { Status: '30' }],
    ['fractional Status', { Status: 30.5 }],
  ])('refuses %s: unverifiable with a shared secret, invalid-payload without one', (_name, extra) => {
    // The checksum covers Id and Status: without them the sender cannot be checked, and the
    // body's shape is none of an unchecked sender's business.
    expect(receiveCallback(provider, request(minimal(30, extra)))).toMatchObject({
      kind: 'refused',
      refusal: 'unauthorized',
    });
    expect(receiveCallback(unsigned, request(minimal(30, extra)))).toMatchObject({
      kind: 'refused',
      refusal: 'invalid-payload',
    });
  });

  it('refuses a Checksum that is not text as not authenticated', () => {
    expect(receiveCallback(provider, request(minimal(30, { Checksum: 42 })))).toMatchObject({
      kind: 'refused',
      refusal: 'unauthorized',
    });
  });

  it('says what it skipped, in counts and field names only', () => {
    const cases: Array<[unknown, string[]]> = [
      [{ Signers: {} }, ['Signers is not a list: skipped']],
      [
        {
          Signers: [{ Id: 's', Activities: [{ Code: 103 }, { Id: 'ok', Code: 103 }, { Id: 'x' }] }, { Activities: [] }],
        },
        ['1 malformed signer entry skipped', '2 malformed activities skipped'],
      ],
      [{ Signers: [{ Id: 's', Activities: [{ Id: 'ok', Code: 103 }] }] }, []],
    ];
    for (const [extra, notes] of cases) {
      const outcome = receiveCallback(provider, request(minimal(30, extra as Record<string, unknown>)));
      expect(outcome.kind === 'events' && (outcome.notes ?? [])).toEqual(notes);
    }
  });

  it('keeps at most the configured number of activities, the newest, and says how many it dropped', () => {
    const capped = createSignhost({ ...settings, maxActivitiesPerPostback: 3 });
    const activities = Array.from({ length: 5 }, (_, i) => ({ Id: `a${i}`, Code: 103 }));
    const outcome = receiveCallback(
      capped,
      request(
        minimal(30, {
          Signers: [
            { Id: 's1', Activities: activities.slice(0, 4) },
            { Id: 's2', Activities: activities.slice(4) },
          ],
        }),
      ),
    );
    expect(outcome).toMatchObject({
      kind: 'events',
      authenticated: true,
      notes: ['2 of 5 activities dropped (limit 3 per postback)'],
    });
    expect(outcome.kind === 'events' && outcome.events.map((e) => e.key)).toEqual([
      'activity:a2',
      'activity:a3',
      'activity:a4',
      'status:30',
    ]);
  });

  it.each([
    ['Signers not an array', { Signers: {} }, []],
    [
      'activity without Id',
      { Signers: [{ Id: 's', Activities: [{ Code: 103 }, { Id: 'ok', Code: 103 }] }] },
      ['activity:ok'],
    ],
    ['activity Code as text', { Signers: [{ Id: 's', Activities: [{ Id: 'a', Code: 'Opened' }] }] }, []],
    [
      'signer without Id',
      { Signers: [{ Activities: [] }, { Id: 's2', Activities: [{ Id: 'b', Code: 203 }] }] },
      ['activity:b'],
    ],
  ])('skips %s and still counts the status', (_name, extra, activityKeys) => {
    const outcome = receiveCallback(provider, request(minimal(30, extra)));
    expect(outcome).toMatchObject({ kind: 'events', authenticated: true });
    if (outcome.kind !== 'events') return;
    expect(outcome.events.map((e) => e.key)).toEqual([...activityKeys, 'status:30']);
    expect(outcome.events.at(-1)).toMatchObject({ status: 'signed' });
  });

  it.each([
    ['array body', [1, 2]],
    ['null body', null],
    ['a string', 'hello'],
  ])('refuses %s: unverifiable with a shared secret, invalid-payload without one', (_name, json) => {
    expect(receiveCallback(provider, request(json))).toMatchObject({ kind: 'refused', refusal: 'unauthorized' });
    expect(receiveCallback(unsigned, request(json))).toMatchObject({ kind: 'refused', refusal: 'invalid-payload' });
  });

  it('tolerates the many fields it does not read', () => {
    expect(
      receiveCallback(provider, request(minimal(30, { Seal: true, Files: { x: {} }, Context: null, Unheard: [1] }))),
    ).toMatchObject({
      kind: 'events',
    });
  });
});

describe('Signhost answers', () => {
  const refusals: Refusal[] = [
    'unsupported-media-type',
    'too-large',
    'malformed-json',
    'invalid-payload',
    'unauthorized',
    'forbidden-address',
    'unknown-transaction',
  ];
  it.each(refusals)('answers %s with 200 and an empty body', (refusal) => {
    expect(provider.answer(refusal)).toEqual({ status: 200, body: '' });
  });

  it('answers 200 empty when accepted, 503 only when the postback could not be recorded', () => {
    expect(provider.answer('accepted')).toEqual({ status: 200, body: '' });
    expect(provider.answer('unavailable').status).toBe(503);
  });
});

describe('Signhost files', () => {
  const statusEvent = (json: unknown) => {
    const outcome = receiveCallback(provider, request(json));
    if (outcome.kind !== 'events') throw new Error(`expected events, got ${outcome.kind}`);
    return outcome.events[outcome.events.length - 1];
  };

  it('keeps the ids of the transaction’s Files on the status event, for downloadSignedDocument', () => {
    expect(statusEvent(signhostPostback({ id: ID, status: 30, secret: SECRET })).details).toEqual({
      label: 'signed',
      fileIds: ['contract.pdf'],
    });
    expect(statusEvent(minimal(30, { Files: { 'a.pdf': {}, b: { Links: [] } } })).details).toEqual({
      label: 'signed',
      fileIds: ['a.pdf', 'b'],
    });
  });

  it.each([
    ['no Files', {}],
    ['Files null', { Files: null }],
    ['Files an array', { Files: [1] }],
    ['Files a string', { Files: 'contract.pdf' }],
  ])('with %s, the postback is still accepted, without file ids', (_label, extra) => {
    expect(statusEvent(minimal(30, extra)).details).toEqual({ label: 'signed' });
  });
});
