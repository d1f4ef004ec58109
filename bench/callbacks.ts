// Provider callbacks as the providers send them, signed with the bench's own credentials, and
// the events each becomes (parsed by the provider modules themselves, so the raw-signal
// baseline sends exactly the signals the receivers would send).
import type { Agent } from 'node:http';
import { request } from 'node:http';
import { simulatorCredentials } from '../src/simulators/start';
import type { Provider } from '../src/providers/provider';
import type { ProviderEvent, ProviderName, TransactionRef } from '../src/common/types';
import { signhostPostback } from '../test/helpers/signhost';
import { seededRandom } from './stats';
import { receiveCallback } from '../src/providers/provider';

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
export const MIXED_PROVIDERS = [
  'signhost',
  'signicat',
  'portal-de-assinaturas',
] as const satisfies readonly ProviderName[];
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

const portalHeader = BENCH_CREDENTIALS.PORTAL_DE_ASSINATURAS_CALLBACK_HEADER.split(':');

/** The request a provider would send about `externalId`; events filled in by `withEvents`. */
export function callbackRequest(
  provider: MixedProvider,
  externalId: string,
  stage: Stage,
): Omit<BenchCallback, 'events' | 'ref'> {
  const json = { 'content-type': 'application/json' };
  switch (provider) {
    case 'signhost':
      // The documented postback with its checksum; no signer activities, so each callback carries one event.
      return {
        provider,
        path: '/callbacks/signhost',
        headers: json,
        body: JSON.stringify(
          signhostPostback({
            id: externalId,
            status: stage === 'final' ? 30 : 20,
            secret: BENCH_CREDENTIALS.SIGNHOST_SHARED_SECRET,
            john: [],
            jane: [],
          }),
        ),
      };
    case 'signicat':
      return {
        provider,
        path: '/callbacks/signicat',
        headers: { ...json, authorization: BENCH_CREDENTIALS.SIGNICAT_CALLBACK_AUTHORIZATION },
        body: JSON.stringify({
          dossierId: `dossier-${externalId}`,
          processId: externalId,
          status: stage === 'final' ? 'accepted' : 'processing',
        }),
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
export function withEvents(
  providers: Partial<Record<ProviderName, Provider>>,
  req: Omit<BenchCallback, 'events' | 'ref'>,
): BenchCallback {
  const provider = providers[req.provider];
  if (!provider) throw new Error(`provider ${req.provider} not configured`);
  const rawBody = Buffer.from(req.body);
  const outcome = receiveCallback(provider, {
    path: '/',
    headers: req.headers,
    rawBody,
    json: JSON.parse(req.body),
    receivedAt: new Date().toISOString(),
  });
  if (outcome.kind !== 'events' || !outcome.authenticated) {
    throw new Error(
      `bench callback for ${req.provider} not accepted by its own provider module: ${JSON.stringify(outcome)}`,
    );
  }
  return {
    ...req,
    ref: outcome.ref,
    events: outcome.events,
    ...(outcome.dossierId && { dossierId: outcome.dossierId }),
  };
}

export type Plan =
  /** Each transaction gets a progress callback (creating it) and, a little later, its final one. */
  | { kind: 'pairs'; prefix: string; transactions: number }
  /** Progress callbacks about transactions already open (`prefix-0` … `prefix-(open-1)`). */
  | { kind: 'targets'; prefix: string; open: number; count: number; seed: number };

export const externalIdFor = (prefix: string, i: number) => `${prefix}-${i}`;

/** A transaction's final callback comes this many callbacks after its first, as providers' trail. */
export const FINAL_CALLBACK_LAG = 25;

/** The ordered list of (provider, transaction, stage) a plan sends. */
export function planItems(plan: Plan): Array<{ provider: MixedProvider; externalId: string; stage: Stage }> {
  if (plan.kind === 'targets') {
    const random = seededRandom(plan.seed);
    return Array.from({ length: plan.count }, () => {
      const i = Math.floor(random() * plan.open);
      return { provider: providerFor(i), externalId: externalIdFor(plan.prefix, i), stage: 'progress' as const };
    });
  }
  const lag = FINAL_CALLBACK_LAG;
  const items: Array<{ provider: MixedProvider; externalId: string; stage: Stage }> = [];
  for (let i = 0; i < plan.transactions + lag; i++) {
    if (i < plan.transactions)
      items.push({ provider: providerFor(i), externalId: externalIdFor(plan.prefix, i), stage: 'progress' });
    const j = i - lag;
    if (j >= 0) items.push({ provider: providerFor(j), externalId: externalIdFor(plan.prefix, j), stage: 'final' });
  }
  return items;
}

/** Posts a callback as its provider would, over `agent`'s kept-alive sockets; resolves to the answer's status. */
export function postCallback(agent: Agent, target: URL, cb: Omit<BenchCallback, 'events' | 'ref'>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: cb.path,
        method: 'POST',
        headers: { ...cb.headers, 'content-length': Buffer.byteLength(cb.body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(cb.body);
  });
}
