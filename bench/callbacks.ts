// Provider callbacks as the providers send them, signed with the bench's own credentials, and
// the events each becomes (parsed by the provider modules themselves, so the raw-signal
// baseline sends exactly the signals the receivers would send).
import { simulatorCredentials } from '../src/simulators/start';
import type { Provider } from '../src/providers/provider';
import { signhostChecksum } from '../src/providers/signhost';
import type { ProviderEvent, ProviderName, TransactionRef } from '../src/shared/types';
import { seededRandom } from './stats';

/** Credentials the bench configures, so every callback is authenticated (checksum or header). */
export const BENCH_CREDENTIALS = {
  SIGNHOST_SHARED_SECRET: 'bench-signhost-shared-secret',
  SIGNICAT_CALLBACK_AUTHORIZATION: 'Bearer bench-signicat-callback',
  PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: 'X-Countersign-Token: bench-portal-callback',
} as const;

/** What Countersign needs to call the provider simulators' APIs, and they to accept it. */
export function providerApiCredentials(): ReturnType<typeof simulatorCredentials> {
  return { ...simulatorCredentials({}), ...BENCH_CREDENTIALS };
}

/** The providers whose callbacks prove who sent them, so they may start a workflow. */
export const MIXED_PROVIDERS = ['signhost', 'signicat', 'portal-de-assinaturas'] as const satisfies readonly ProviderName[];
export type MixedProvider = (typeof MIXED_PROVIDERS)[number];

/** `progress`: a non-final news item; `final`: the transaction is signed. */
export type Stage = 'progress' | 'final';

export interface BenchCallback {
  provider: MixedProvider;
  path: string;
  headers: Record<string, string>;
  body: string;
  ref: TransactionRef;
  dossierId?: string;
  events: ProviderEvent[];
}

export const providerFor = (i: number): MixedProvider => MIXED_PROVIDERS[i % MIXED_PROVIDERS.length];

function signhostBody(id: string, status: number) {
  // The full transaction Signhost posts (personal data included, as it sends it).
  const signer = (signerId: string, email: string, name: string) => ({
    Id: signerId,
    Expires: null,
    Email: email,
    Authentications: [],
    Verifications: [{ Type: 'Scribble', RequireHandsignature: true, ScribbleNameFixed: true, ScribbleName: name }],
    Mobile: '+31612345678',
    SendSignRequest: true,
    SendSignConfirmation: true,
    SignRequestMessage: `Dear ${name}, please sign this document.`,
    DaysToRemind: 7,
    Language: 'en-US',
    ScribbleName: name,
    Reference: 'Client #123',
    ReturnUrl: 'https://example.com/signed',
    Activities: [],
    RejectReason: null,
    SignUrl: `https://view.signhost.com/sign/${signerId}`,
    CreatedDateTime: '2024-06-15T23:30:00.0000000+02:00',
    ModifiedDateTime: '2024-06-15T23:38:12.0000000+02:00',
    Context: null,
  });
  return {
    Id: id,
    Status: status,
    Files: { 'contract.pdf': { Links: [{ Rel: 'file', Type: 'application/pdf', Link: `https://api.signhost.com/api/transaction/${id}/file/contract.pdf` }], DisplayName: 'contract.pdf' } },
    Seal: false,
    Signers: [
      signer('fa95495d-6c59-48e0-962a-a4552f8d6b85', 'john.doe@example.com', 'John Doe'),
      signer('d3c93bd6-f1ce-48e7-8c9c-c2babfdd4034', 'jane.roe@example.com', 'Jane Roe'),
    ],
    Receivers: [],
    Reference: 'Contract #123',
    PostbackUrl: null,
    SignRequestMode: 2,
    DaysToExpire: 30,
    SendEmailNotifications: true,
    Language: 'en-US',
    CreatedDateTime: '2024-06-15T23:30:00.0000000+02:00',
    ModifiedDateTime: '2024-06-16T09:12:50.0000000+02:00',
    CanceledDateTime: null,
    CancellationReason: null,
    Context: null,
    Checksum: signhostChecksum(id, status, BENCH_CREDENTIALS.SIGNHOST_SHARED_SECRET),
  };
}

const portalHeader = BENCH_CREDENTIALS.PORTAL_DE_ASSINATURAS_CALLBACK_HEADER.split(':');

/** The request a provider would send about `externalId`; events filled in by `withEvents`. */
export function callbackRequest(provider: MixedProvider, externalId: string, stage: Stage): Omit<BenchCallback, 'events' | 'ref'> {
  const json = { 'content-type': 'application/json' };
  switch (provider) {
    case 'signhost':
      return { provider, path: '/callbacks/signhost', headers: json, body: JSON.stringify(signhostBody(externalId, stage === 'final' ? 30 : 20)) };
    case 'signicat':
      return {
        provider,
        path: '/callbacks/signicat',
        headers: { ...json, authorization: BENCH_CREDENTIALS.SIGNICAT_CALLBACK_AUTHORIZATION },
        body: JSON.stringify({ dossierId: `dossier-${externalId}`, processId: externalId, status: stage === 'final' ? 'accepted' : 'processing' }),
      };
    case 'portal-de-assinaturas':
      return {
        provider,
        path: '/callbacks/portal-de-assinaturas',
        headers: { ...json, [portalHeader[0].toLowerCase()]: portalHeader[1].trim() },
        body: JSON.stringify({
          documentId: externalId,
          name: 'Maria da Silva',
          identifier: '123.456.789-09',
          action: stage === 'final' ? 'FLOW' : 'SIGNATURE-DIGITAL',
          message: '',
          apiDownload: `https://api.portaldeassinaturas.com.br/api/v2/document/package?key=${externalId}`,
        }),
      };
  }
}

/** Parses the request with the provider's own module: the events the receiver would deliver. */
export function withEvents(providers: Partial<Record<ProviderName, Provider>>, req: Omit<BenchCallback, 'events' | 'ref'>): BenchCallback {
  const provider = providers[req.provider];
  if (!provider) throw new Error(`provider ${req.provider} not configured`);
  const rawBody = Buffer.from(req.body);
  const outcome = provider.parseCallback({ path: '/', headers: req.headers, rawBody, json: JSON.parse(req.body), receivedAt: new Date().toISOString() });
  if (outcome.kind !== 'events' || !outcome.authenticated) {
    throw new Error(`bench callback for ${req.provider} not accepted by its own provider module: ${JSON.stringify(outcome)}`);
  }
  return { ...req, ref: outcome.ref, events: outcome.events, ...(outcome.dossierId && { dossierId: outcome.dossierId }) };
}

export type Plan =
  /** Each transaction gets a progress callback (creating it) and, a little later, its final one. */
  | { kind: 'pairs'; prefix: string; transactions: number }
  /** Progress callbacks about transactions already open (`prefix-0` … `prefix-(open-1)`). */
  | { kind: 'targets'; prefix: string; open: number; count: number; seed: number };

export const externalIdFor = (prefix: string, i: number) => `${prefix}-${i}`;

/** The ordered list of (provider, transaction, stage) a plan sends. */
export function planItems(plan: Plan): Array<{ provider: MixedProvider; externalId: string; stage: Stage }> {
  if (plan.kind === 'targets') {
    const random = seededRandom(plan.seed);
    return Array.from({ length: plan.count }, () => {
      const i = Math.floor(random() * plan.open);
      return { provider: providerFor(i), externalId: externalIdFor(plan.prefix, i), stage: 'progress' as const };
    });
  }
  // The final callback of a transaction trails its first by a window, as providers' do.
  const lag = 25;
  const items: Array<{ provider: MixedProvider; externalId: string; stage: Stage }> = [];
  for (let i = 0; i < plan.transactions + lag; i++) {
    if (i < plan.transactions) items.push({ provider: providerFor(i), externalId: externalIdFor(plan.prefix, i), stage: 'progress' });
    const j = i - lag;
    if (j >= 0) items.push({ provider: providerFor(j), externalId: externalIdFor(plan.prefix, j), stage: 'final' });
  }
  return items;
}
