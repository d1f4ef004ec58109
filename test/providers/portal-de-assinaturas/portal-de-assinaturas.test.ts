import {
  createPortalDeAssinaturas,
  expandAllowedIps,
  parseCallbackHeader,
  repairDocumentedSample,
  PORTAL_SENDER_IPS,
} from '../../../src/providers/portal-de-assinaturas';
import { createSignerTag, documentActionMeaning, maskCpf } from '../../../src/providers/portal-de-assinaturas';
import type { CallbackRequest } from '../../../src/providers/provider';
import { receiveCallback } from '../../../src/providers/provider';

// The provider's documented samples exactly as written (docs/providers/portal-de-assinaturas.md) (the document one misses a comma after "message": "").
const DOCUMENTED_DOCUMENT_SAMPLE = `    { 
        "documentID": 123456,
        "name": "João da Silva",
        "identifier": "307.625.739-02",
        "action": "SIGNATURE-DIGITAL",
        "message": ""
        "apiDownload": "https://api-sbx.portaldeassinaturas.com.br/api/v2/document/Package?key=4B4659AB34847973&includeOriginal;=false"
    }`;
const DOCUMENTED_MAIL_SAMPLE = `    { 
        "type": "REGISTERED-MAIL",
        "registeredMailId": 123456,
        "recipient": "joao.silva@mail.com",
        "action": "DELIVERED",
        "info":{"message":"Successfully delivered"}
    }`;
const CPF = '307.625.739-02';

const settings = (callbackHeader?: string) => ({
  apiUrl: 'http://127.0.0.1:1',
  allowedIps: [],
  token: undefined,
  callbackHeader,
});
const open = createPortalDeAssinaturas(settings());
const guarded = createPortalDeAssinaturas(settings('X-Callback-Token: s3cret'));

const request = (json: unknown, headers: Record<string, string> = {}): CallbackRequest => ({
  path: '/',
  headers,
  rawBody: Buffer.from(JSON.stringify(json ?? null)),
  json,
  receivedAt: '2026-01-01T00:00:00.000Z',
});
const doc = (action: string, extra: Record<string, unknown> = {}) => ({
  documentId: '123456',
  name: 'João da Silva',
  identifier: CPF,
  action,
  message: '',
  apiDownload: 'https://example.test/pkg?key=4B4659AB34847973',
  ...extra,
});
const mail = (action: string, extra: Record<string, unknown> = {}) => ({
  type: 'REGISTERED-MAIL',
  registeredMailId: '987',
  recipient: 'joao.silva@mail.com',
  action,
  info: { message: 'Successfully delivered' },
  ...extra,
});

describe('Portal de Assinaturas document callbacks', () => {
  it.each([
    ['SIGNATURE-ELETRONIC', 'signerAction', 'in_progress'],
    ['SIGNATURE-DIGITAL', 'signerAction', 'in_progress'],
    ['SIGNATURE-SERVER', 'signerAction', 'in_progress'],
    ['AUTHORIZATION-OK', 'signerAction', 'in_progress'],
    ['APPROVAL-OK', 'signerAction', 'in_progress'],
    ['SIGNATURE-NOK', 'rejected', 'rejected'],
    ['AUTHORIZATION-NOK', 'rejected', 'rejected'],
    ['APPROVAL-NOK', 'rejected', 'rejected'],
  ])('maps signer action %s to %s (%s), keyed per signer', (action, type, status) => {
    const outcome = receiveCallback(open, request(doc(action)));
    expect(outcome).toMatchObject({
      kind: 'events',
      authenticated: false,
      ref: { provider: 'portal-de-assinaturas', kind: 'signing', externalId: '123456' },
      events: [{ type, status, providerStatus: action, source: 'callback', details: { cpfMasked: '***.625.739-**' } }],
    });
    if (outcome.kind !== 'events') throw new Error('expected events');
    expect(outcome.events[0].key).toMatch(new RegExp(`^${action}:[0-9a-f]{16}$`));
    // The signer is told apart by the keyed tag of the key, never by name or full CPF.
    expect(outcome.events[0].details?.signer).toBe(outcome.events[0].key.split(':')[1]);
    const kept = JSON.stringify(outcome.events[0]);
    for (const personal of ['João', 'Silva', CPF, CPF.replace(/\D/g, ''), '307.625', '739-02'])
      expect(kept).not.toContain(personal);
  });

  it.each([
    ['STEP-1', 'STEP-1', 1],
    ['STEP-2', 'STEP-2', 2],
    ['STEP-12', 'STEP-12', 12],
    ['step-3', 'STEP-3', 3],
  ])('maps %s to stepCompleted in_progress, keyed by action alone', (action, key, step) => {
    expect(receiveCallback(open, request(doc(action)))).toMatchObject({
      events: [{ key, type: 'stepCompleted', status: 'in_progress', providerStatus: action, details: { step } }],
    });
  });

  it('masks a CPF as published by public bodies, and keeps nothing of other identifiers', () => {
    expect(maskCpf('307.625.739-02')).toBe('***.625.739-**');
    expect(maskCpf(' 30762573902 ')).toBe('***.625.739-**');
    expect(maskCpf('12.345.678/0001-95')).toBeUndefined();
    expect(maskCpf('joao@mail.com')).toBeUndefined();
    expect(maskCpf(undefined)).toBeUndefined();
  });

  it('maps FLOW to signed, keyed by action alone', () => {
    expect(receiveCallback(open, request(doc('FLOW', { name: '', identifier: '' })))).toMatchObject({
      events: [{ key: 'FLOW', type: 'signed', status: 'signed', providerStatus: 'FLOW' }],
    });
  });

  it('keeps apiDownload, and the message as the reason of a rejection', () => {
    const outcome = receiveCallback(open, request(doc('SIGNATURE-NOK', { message: 'wrong document' })));
    expect(outcome).toMatchObject({
      events: [{ reason: 'wrong document', details: { apiDownload: 'https://example.test/pkg?key=4B4659AB34847973' } }],
    });
    expect(receiveCallback(open, request(doc('APPROVAL-NOK')))).toMatchObject({
      events: [{ reason: 'document not approved by approver' }],
    });
  });

  it.each([
    ['documentId as a string', { documentId: '123456' }],
    ['documentId as a number', { documentId: 123456 }],
    ['documentID as a string', { documentID: '123456' }],
    ['documentID as a number', { documentID: 123456 }],
    ['both spellings, same id', { documentId: 123456, documentID: '123456' }],
  ])('reads %s', (_name, ids) => {
    const { documentId: _drop, ...rest } = doc('FLOW');
    expect(receiveCallback(open, request({ ...rest, ...ids }))).toMatchObject({
      ref: { kind: 'signing', externalId: '123456' },
    });
  });

  it('parses the documented sample as written (after repairing its one missing comma)', () => {
    expect(() => JSON.parse(DOCUMENTED_DOCUMENT_SAMPLE) as unknown).toThrow();
    const json = repairDocumentedSample(DOCUMENTED_DOCUMENT_SAMPLE);
    expect(json).toMatchObject({ documentID: 123456, message: '', action: 'SIGNATURE-DIGITAL' });
    expect(receiveCallback(open, request(json))).toMatchObject({
      ref: { kind: 'signing', externalId: '123456' },
      events: [
        {
          type: 'signerAction',
          status: 'in_progress',
          providerStatus: 'SIGNATURE-DIGITAL',
          details: { cpfMasked: '***.625.739-**' },
        },
      ],
    });
  });

  it('repairs only that defect: other broken bodies stay broken', () => {
    expect(repairDocumentedSample('{"documentID": 1, "action": "FLOW",')).toBeUndefined();
    expect(repairDocumentedSample('{"documentID": 1 "action": "FLOW"}')).toBeUndefined();
    expect(repairDocumentedSample('{"message": "" "apiDownload": "x" "action": "FLOW"}')).toBeUndefined();
    expect(repairDocumentedSample('{"message": "a \\"quoted\\" word"\n "apiDownload": "x"}')).toEqual({
      message: 'a "quoted" word',
      apiDownload: 'x',
    });
  });

  it('dedupes retries but keeps the same action by distinct signers apart', () => {
    const key = (body: unknown) => {
      const o = receiveCallback(open, request(body));
      if (o.kind !== 'events') throw new Error('expected events');
      return o.events[0].key;
    };
    const first = key(doc('SIGNATURE-DIGITAL'));
    expect(key(doc('SIGNATURE-DIGITAL'))).toBe(first);
    expect(key(doc('signature-digital'))).toBe(first);
    expect(key(doc('SIGNATURE-DIGITAL', { identifier: '30762573902' }))).toBe(first);
    expect(key(doc('SIGNATURE-DIGITAL', { identifier: '111.444.777-35', name: 'Maria' }))).not.toBe(first);
    expect(key(doc('SIGNATURE-ELETRONIC'))).not.toBe(first);
    expect(key(doc('SIGNATURE-DIGITAL', { identifier: undefined, name: 'Maria' }))).toMatch(
      /^SIGNATURE-DIGITAL:[0-9a-f]{16}$/,
    );
    expect(key(doc('SIGNATURE-DIGITAL', { identifier: null, name: null }))).toBe('SIGNATURE-DIGITAL');
  });

  it('keys signers with an HMAC: another secret, another tag', () => {
    expect(createSignerTag('a')(CPF)).toBe(createSignerTag('a')('30762573902'));
    expect(createSignerTag('a')(CPF)).not.toBe(createSignerTag('b')(CPF));
    expect(createSignerTag('a')()).toBeUndefined();
  });

  it('keeps an unlisted action without moving the status', () => {
    expect(documentActionMeaning('SIGNATURE-BIOMETRIC')).toMatchObject({ type: 'signerAction', known: false });
    const outcome = receiveCallback(open, request(doc('SIGNATURE-BIOMETRIC')));
    expect(outcome).toMatchObject({
      kind: 'events',
      events: [{ type: 'signerAction', providerStatus: 'SIGNATURE-BIOMETRIC', details: { unknownAction: true } }],
    });
    if (outcome.kind !== 'events') throw new Error('expected events');
    expect(outcome.events[0].status).toBeUndefined();
  });

  it.each([
    ['missing id', { documentId: undefined }],
    ['empty id', { documentId: '  ' }],
    ['negative id', { documentId: -1 }],
    ['fractional id', { documentId: 1.5 }],
    ['id as object', { documentId: { id: 1 } }],
    ['two spellings, different ids', { documentID: '654321' }],
    ['missing action', { action: undefined }],
    ['empty action', { action: '' }],
    ['action as number', { action: 7 }],
    ['action with odd characters', { action: 'FLOW; DROP' }],
    ['name as object', { name: { first: 'João' } }],
  ])('refuses %s as invalid-payload', (_name, extra) => {
    const body = JSON.parse(JSON.stringify(doc('FLOW', extra))) as Record<string, unknown>;
    const outcome = receiveCallback(open, request(body));
    expect(outcome).toMatchObject({ kind: 'refused', refusal: 'invalid-payload' });
    if (outcome.kind === 'refused') expect(outcome.detail).not.toContain('307');
  });

  it.each([
    ['array body', [1]],
    ['empty body', undefined],
    ['string body', 'FLOW'],
  ])('refuses %s', (_name, json) => {
    expect(receiveCallback(open, request(json))).toMatchObject({ kind: 'refused', refusal: 'invalid-payload' });
  });
});

describe('Portal de Assinaturas registered-mail callbacks', () => {
  it('parses the documented sample as written', () => {
    expect(receiveCallback(open, request(JSON.parse(DOCUMENTED_MAIL_SAMPLE)))).toMatchObject({
      kind: 'events',
      ref: { provider: 'portal-de-assinaturas', kind: 'registered-mail', externalId: '123456' },
      events: [
        {
          key: 'DELIVERED',
          type: 'delivered',
          status: 'delivered',
          providerStatus: 'DELIVERED',
          details: { infoMessage: 'Successfully delivered' },
        },
      ],
    });
    const kept = JSON.stringify(receiveCallback(open, request(JSON.parse(DOCUMENTED_MAIL_SAMPLE))));
    expect(kept).not.toContain('joao.silva');
  });

  it.each([
    ['DELIVERED', 'DELIVERED', 'delivered', 'delivered'],
    ['NOT-DELIVERED', 'NOT-DELIVERED', 'notDelivered', 'not_delivered'],
    ['not_delivered', 'NOT-DELIVERED', 'notDelivered', 'not_delivered'],
    ['OPENED', 'OPENED', 'opened', 'opened'],
  ])('maps %s to %s', (action, key, type, status) => {
    expect(receiveCallback(open, request(mail(action)))).toMatchObject({
      ref: { kind: 'registered-mail', externalId: '987' },
      events: [{ key, type, status, providerStatus: action }],
    });
  });

  it('takes the non-delivery reason from info.message', () => {
    const outcome = receiveCallback(
      open,
      request(mail('NOT-DELIVERED', { info: { message: 'mailbox full', code: 552 } })),
    );
    expect(outcome).toMatchObject({
      events: [{ reason: 'mailbox full', details: { infoMessage: 'mailbox full', infoCode: 552 } }],
    });
    const delivered = receiveCallback(open, request(mail('DELIVERED')));
    if (delivered.kind !== 'events') throw new Error('expected events');
    expect(delivered.events[0].reason).toBeUndefined();
  });

  it.each([['registered-mail'], ['Registered_Mail'], ['REGISTERED MAIL']])('recognizes type %p', (type) => {
    expect(receiveCallback(open, request(mail('OPENED', { type })))).toMatchObject({
      ref: { kind: 'registered-mail' },
    });
  });

  it('reads numeric and string ids, and registeredMailID', () => {
    expect(receiveCallback(open, request(mail('OPENED', { registeredMailId: 42 })))).toMatchObject({
      ref: { externalId: '42' },
    });
    const { registeredMailId: _drop, ...rest } = mail('OPENED');
    expect(receiveCallback(open, request({ ...rest, registeredMailID: '43' }))).toMatchObject({
      ref: { externalId: '43' },
    });
  });

  it('keeps an unlisted action without moving the status', () => {
    const outcome = receiveCallback(open, request(mail('BOUNCED')));
    expect(outcome).toMatchObject({
      events: [{ key: 'BOUNCED', type: 'statusReported', details: { unknownAction: true } }],
    });
    if (outcome.kind !== 'events') throw new Error('expected events');
    expect(outcome.events[0].status).toBeUndefined();
  });

  it.each([
    ['missing id', { registeredMailId: undefined }],
    ['missing action', { action: undefined }],
    ['info as number', { info: 5 }],
    ['type as number', { type: 3 }],
  ])('refuses %s', (_name, extra) => {
    expect(receiveCallback(open, request(JSON.parse(JSON.stringify(mail('DELIVERED', extra)))))).toMatchObject({
      kind: 'refused',
      refusal: 'invalid-payload',
    });
  });
});

describe('Portal de Assinaturas authentication and configuration', () => {
  it('with a configured header: authenticated when it matches, 401 otherwise', () => {
    expect(receiveCallback(guarded, request(doc('FLOW'), { 'x-callback-token': 's3cret' }))).toMatchObject({
      kind: 'events',
      authenticated: true,
    });
    expect(receiveCallback(guarded, request(doc('FLOW'), {}))).toMatchObject({
      kind: 'refused',
      refusal: 'unauthorized',
    });
    expect(receiveCallback(guarded, request(doc('FLOW'), { 'x-callback-token': 's3cre' }))).toMatchObject({
      kind: 'refused',
      refusal: 'unauthorized',
    });
    expect(receiveCallback(guarded, request(doc('FLOW'), { authorization: 's3cret' }))).toMatchObject({
      kind: 'refused',
      refusal: 'unauthorized',
    });
    // Authentication comes first: an unauthenticated sender learns nothing about the body.
    expect(receiveCallback(guarded, request({}, {}))).toMatchObject({ kind: 'refused', refusal: 'unauthorized' });
  });

  it('answers 401 without detail', () => {
    expect(guarded.answer('unauthorized')).toEqual({ status: 401 });
    expect(guarded.answer('accepted')).toEqual({ status: 200 });
    expect(guarded.answer('invalid-payload').status).toBe(400);
    expect(guarded.answer('unknown-transaction').status).toBe(404);
  });

  it('parses "Name: value" once, keeping colons inside the value', () => {
    expect(parseCallbackHeader('X-Callback-Token: s3cret')).toEqual({ name: 'x-callback-token', value: 's3cret' });
    expect(parseCallbackHeader('Authorization:Bearer a:b')).toEqual({ name: 'authorization', value: 'Bearer a:b' });
    expect(parseCallbackHeader(undefined)).toBeUndefined();
  });

  it('expands the sandbox and production keywords to the published addresses', () => {
    expect(expandAllowedIps(['production'])).toEqual(PORTAL_SENDER_IPS.production);
    expect(expandAllowedIps(['Sandbox', '10.0.0.0/8'])).toEqual([...PORTAL_SENDER_IPS.sandbox, '10.0.0.0/8']);
    expect(PORTAL_SENDER_IPS.production).toContain('191.235.81.80');
    expect(createPortalDeAssinaturas({ ...settings(), allowedIps: ['production'] }).allowedIps).toHaveLength(4);
  });
});
