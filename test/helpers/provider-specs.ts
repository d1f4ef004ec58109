// One valid callback per provider (and kind), with the credentials that make it authentic,
// so bad-input tests can break exactly one thing in it. Shared by the pure property tests,
// the HTTP bad-input tests, the personal-data test and the soak.
import { signhostChecksum } from '../../src/providers/signhost';
import type { Provider, Refusal } from '../../src/providers/provider';
import type { ProviderName, TransactionKind, TransactionStatus } from '../../src/common/types';
import { signhostPostback } from './signhost';
import { receiveCallback } from '../../src/providers/provider';

/** Credentials every provider is configured with: each callback must prove its sender. */
export const SECRETS = {
  SIGNHOST_SHARED_SECRET: 'shs-7f3a9c1e5b2d4860-shared',
  SIGNHOST_POSTBACK_AUTHORIZATION: 'shp-2b8e6d0f4a1c9357-header',
  SIGNICAT_CALLBACK_AUTHORIZATION: 'sca-9d4f2a7c0e6b1835-callback',
  PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: 'X-Callback-Token: pda-5c1e8b3f7a2d6049-token',
  COUNTERSIGN_API_TOKEN: 'api-0a6c2e4b8d1f3597-bearer',
} as const;
export const PORTAL_TOKEN = 'pda-5c1e8b3f7a2d6049-token';

/** Personal data the sample callbacks carry, as providers send it. */
export const PII = {
  name: 'Joana Quaresma Vilar',
  cpf: '529.982.247-25',
  cpfDigits: '52998224725',
  email: 'joana.vilar@correio-exemplo.com.br',
  signhostNames: ['John Doe', 'Jane Roe'],
  signhostEmails: ['john.doe@example.com', 'jane.roe@example.com'],
  phone: '+31612345678',
} as const;

export interface CallbackMessage {
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface ProviderSpec {
  label: string;
  provider: ProviderName;
  kind: TransactionKind;
  path: string;
  /** The field naming the transaction, and the one carrying its status or action. */
  idField: string;
  statusField: string;
  /** Headers that carry credentials (lower-cased); empty when the provider sends none. */
  credentialHeaders: string[];
  /**
   * For a provider that signs the raw body (a header computed over the bytes sent): the
   * credentials for any body a test sends. Unset: `valid(...).headers` fit any body.
   */
  credentialsFor?(rawBody: string): Record<string, string>;
  /** Whether a configured receiver can tell this provider's callbacks from forgeries. */
  authenticated: boolean;
  /** Fields the receiver reads, lower-cased: an extra field must not collide with them. */
  knownFields: string[];
  /** A callback that moves the registered transaction to `finalStatus`. */
  valid(externalId: string): CallbackMessage;
  /** A callback that reports progress (a non-final fact with its own key). */
  progress(externalId: string, n: number): CallbackMessage;
  finalStatus: TransactionStatus;
  /** The HTTP status this provider gets for a refusal. */
  answer(refusal: Refusal): number;
}

/** The answers of a provider that documents plain HTTP statuses for each refusal. */
export const standard = (r: Refusal): number =>
  ({
    'unsupported-media-type': 415,
    'too-large': 413,
    'malformed-json': 400,
    'invalid-payload': 400,
    unauthorized: 401,
    'forbidden-address': 403,
    'unknown-transaction': 404,
    unavailable: 503,
    'rate-limited': 429,
    'server-error': 500,
  })[r];

const portalHeaders = { 'x-callback-token': PORTAL_TOKEN };

/** Every field Portal de Assinaturas sends, for documents and registered mail alike (one callback schema). */
const PORTAL_FIELDS = [
  'documentid',
  'name',
  'identifier',
  'action',
  'message',
  'apidownload',
  'type',
  'registeredmailid',
  'recipient',
  'info',
];

export const SPECS: ProviderSpec[] = [
  {
    label: 'evrotrust',
    provider: 'evrotrust',
    kind: 'signing',
    path: '/callbacks/evrotrust/document/ready',
    idField: 'transactionID',
    statusField: 'status',
    credentialHeaders: [],
    authenticated: false,
    knownFields: ['transactionid', 'status', 'rejectreason'],
    valid: (id) => ({
      path: '/callbacks/evrotrust/document/ready',
      headers: {},
      body: { transactionID: id, status: 3, rejectReason: `${PII.name} refused` },
    }),
    progress: (id, n) => ({
      path: '/callbacks/evrotrust',
      headers: {},
      body: { transactionID: id, status: n % 2 ? 1 : 99 },
    }),
    finalStatus: 'rejected',
    answer: standard,
  },
  {
    label: 'signhost',
    provider: 'signhost',
    kind: 'signing',
    path: '/callbacks/signhost',
    idField: 'Id',
    statusField: 'Status',
    credentialHeaders: ['authorization'],
    authenticated: true,
    knownFields: ['id', 'status', 'signers', 'cancellationreason', 'checksum'],
    valid: (id) => ({
      path: '/callbacks/signhost',
      headers: { authorization: SECRETS.SIGNHOST_POSTBACK_AUTHORIZATION },
      body: signhostPostback({ id, status: 30, secret: SECRETS.SIGNHOST_SHARED_SECRET }),
    }),
    progress: (id, n) => ({
      path: '/callbacks/signhost',
      headers: { authorization: SECRETS.SIGNHOST_POSTBACK_AUTHORIZATION },
      body: signhostPostback({
        id,
        status: 20,
        secret: SECRETS.SIGNHOST_SHARED_SECRET,
        john: [
          { Id: `activity-${id}-${n}`, Code: 103, Activity: 'Opened', CreatedDateTime: '2026-01-01T10:00:00+01:00' },
        ],
        jane: [],
      }),
    }),
    finalStatus: 'signed',
    // Signhost is answered 200 whatever is wrong: the sender learns nothing.
    answer: (r) => (r === 'unavailable' || r === 'rate-limited' ? 503 : r === 'server-error' ? 500 : 200),
  },
  {
    label: 'signicat',
    provider: 'signicat',
    kind: 'signing',
    path: '/callbacks/signicat',
    idField: 'processId',
    statusField: 'status',
    credentialHeaders: ['authorization'],
    authenticated: true,
    knownFields: ['dossierid', 'processid', 'status'],
    valid: (id) => ({
      path: '/callbacks/signicat',
      headers: { authorization: SECRETS.SIGNICAT_CALLBACK_AUTHORIZATION },
      body: { dossierId: `dossier-${id}`, processId: id, status: 'accepted' },
    }),
    progress: (id, n) => ({
      path: '/callbacks/signicat',
      headers: { authorization: SECRETS.SIGNICAT_CALLBACK_AUTHORIZATION },
      body: { dossierId: `dossier-${id}`, processId: id, status: n % 2 ? 'pending' : 'processing' },
    }),
    finalStatus: 'signed',
    answer: standard,
  },
  {
    label: 'portal-de-assinaturas (document)',
    provider: 'portal-de-assinaturas',
    kind: 'signing',
    path: '/callbacks/portal-de-assinaturas',
    idField: 'documentId',
    statusField: 'action',
    credentialHeaders: ['x-callback-token'],
    authenticated: true,
    knownFields: PORTAL_FIELDS,
    valid: (id) => ({
      path: '/callbacks/portal-de-assinaturas',
      headers: portalHeaders,
      body: {
        documentId: id,
        name: PII.name,
        identifier: PII.cpf,
        action: 'SIGNATURE-NOK',
        message: `${PII.name} disagrees`,
        apiDownload: '',
      },
    }),
    progress: (id, n) => ({
      path: '/callbacks/portal-de-assinaturas',
      headers: portalHeaders,
      body: { documentId: id, name: PII.name, identifier: PII.cpf, action: `STEP-${n}`, message: '', apiDownload: '' },
    }),
    finalStatus: 'rejected',
    answer: standard,
  },
  {
    label: 'portal-de-assinaturas (registered mail)',
    provider: 'portal-de-assinaturas',
    kind: 'registered-mail',
    path: '/callbacks/portal-de-assinaturas',
    idField: 'registeredMailId',
    statusField: 'action',
    credentialHeaders: ['x-callback-token'],
    authenticated: true,
    knownFields: PORTAL_FIELDS,
    valid: (id) => ({
      path: '/callbacks/portal-de-assinaturas',
      headers: portalHeaders,
      body: {
        type: 'REGISTERED-MAIL',
        registeredMailId: id,
        recipient: PII.email,
        action: 'NOT-DELIVERED',
        info: { message: `mailbox of ${PII.email} full` },
      },
    }),
    progress: (id, n) => ({
      path: '/callbacks/portal-de-assinaturas',
      headers: portalHeaders,
      body: {
        type: 'REGISTERED-MAIL',
        registeredMailId: id,
        recipient: PII.email,
        action: n % 2 ? 'FORWARDED' : 'QUEUED',
        info: {},
      },
    }),
    finalStatus: 'not_delivered',
    answer: standard,
  },
];

export const workflowIdOf = (spec: ProviderSpec, externalId: string) => `${spec.kind}:${spec.provider}:${externalId}`;

/** The `POST /transactions` body registering this spec's transaction. */
export function registration(spec: ProviderSpec, externalId: string, extra: Record<string, unknown> = {}) {
  return {
    provider: spec.provider,
    externalId,
    kind: spec.kind,
    ...(spec.provider === 'signicat' && { dossierId: `dossier-${externalId}` }),
    ...extra,
  };
}

/** Signhost's checksum for a body, for tests that must keep it right while breaking something else. */
export const checksumFor = (id: string, status: number) => signhostChecksum(id, status, SECRETS.SIGNHOST_SHARED_SECRET);

/** The event keys a callback carries, as the receiver's own provider module reads them. */
export function eventKeys(
  providers: Partial<Record<ProviderName, Provider>>,
  spec: ProviderSpec,
  m: CallbackMessage,
): string[] {
  const text = JSON.stringify(m.body);
  const outcome = receiveCallback(providers[spec.provider]!, {
    path: '/',
    headers: m.headers,
    rawBody: Buffer.from(text),
    json: JSON.parse(text),
    receivedAt: new Date().toISOString(),
  });
  if (outcome.kind !== 'events')
    throw new Error(`${spec.label}: sample callback not accepted (${JSON.stringify(outcome)})`);
  return outcome.events.map((e) => e.key);
}
