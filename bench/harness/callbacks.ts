// Provider callbacks as the providers send them, authenticated with the bench's credentials,
// and the events each becomes, parsed by the provider modules themselves: the raw baseline
// then sends exactly the signals the receivers would.
import type { ProviderEvent, ProviderName, TransactionRef } from '../../src/common/types';
import { receiveCallback, type Provider } from '../../src/providers/provider';
import { simulatorCredentials } from '../../src/simulators/start';
import { signhostPostback } from '../../test/helpers/signhost';
import { seededRandom } from '../stats';

export const BENCH_CREDENTIALS = {
  SIGNHOST_SHARED_SECRET: 'bench-signhost-shared-secret',
  SIGNICAT_CALLBACK_AUTHORIZATION: 'Bearer bench-signicat-callback',
  PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: 'X-Countersign-Token: bench-portal-callback',
} as const;

export const providerApiCredentials = () => ({ ...simulatorCredentials({}), ...BENCH_CREDENTIALS });

/** Providers whose callbacks prove who sent them, so a callback may start its workflow. */
const MIXED = ['signhost', 'signicat', 'portal-de-assinaturas'] as const satisfies readonly ProviderName[];
type Mixed = (typeof MIXED)[number];
export const providerFor = (i: number): Mixed => MIXED[i % MIXED.length];
export const externalIdFor = (prefix: string, i: number) => `${prefix}-${i}`;

export interface BenchCallback {
  path: string;
  headers: Record<string, string>;
  body: string;
  ref: TransactionRef;
  dossierId?: string;
  events: ProviderEvent[];
}

type Request = Pick<BenchCallback, 'path' | 'headers' | 'body'>;
const json = { 'content-type': 'application/json' };
const [portalName, portalValue] = BENCH_CREDENTIALS.PORTAL_DE_ASSINATURAS_CALLBACK_HEADER.split(': ');

function callbackRequest(provider: Mixed, id: string, final: boolean): Request {
  if (provider === 'signhost') {
    const secret = BENCH_CREDENTIALS.SIGNHOST_SHARED_SECRET;
    // No signer activities: each callback carries one event, so callbacks/s = signals/s.
    const body = signhostPostback({ id, status: final ? 30 : 20, secret, john: [], jane: [] });
    return { path: '/callbacks/signhost', headers: json, body: JSON.stringify(body) };
  }
  if (provider === 'signicat') {
    const body = { dossierId: `dossier-${id}`, processId: id, status: final ? 'accepted' : 'processing' };
    const headers = { ...json, authorization: BENCH_CREDENTIALS.SIGNICAT_CALLBACK_AUTHORIZATION };
    return { path: '/callbacks/signicat', headers, body: JSON.stringify(body) };
  }
  const body = {
    documentId: id,
    name: 'Maria da Silva',
    identifier: '123.456.789-09',
    action: final ? 'FLOW' : 'SIGNATURE-DIGITAL',
    message: '',
    apiDownload: `https://api.portaldeassinaturas.com.br/api/v2/document/package?key=${id}`,
  };
  const headers = { ...json, [portalName.toLowerCase()]: portalValue };
  return { path: '/callbacks/portal-de-assinaturas', headers, body: JSON.stringify(body) };
}

function withEvents(providers: Partial<Record<ProviderName, Provider>>, provider: Mixed, req: Request): BenchCallback {
  const outcome = receiveCallback(providers[provider]!, {
    path: '/',
    headers: req.headers,
    rawBody: Buffer.from(req.body),
    json: JSON.parse(req.body),
    receivedAt: new Date().toISOString(),
  });
  if (outcome.kind !== 'events' || !outcome.authenticated)
    throw new Error(`${provider}'s own module refused the bench's callback: ${JSON.stringify(outcome)}`);
  const { ref, events, dossierId } = outcome;
  return { ...req, ref, events, ...(dossierId && { dossierId }) };
}

export type Plan =
  /** A first callback per transaction (creating its workflow) and, 25 callbacks later, its final one. */
  | { kind: 'pairs'; prefix: string; transactions: number }
  /** Progress callbacks to random transactions already open. */
  | { kind: 'targets'; prefix: string; open: number; count: number; seed: number };

const FINAL_LAG = 25;

export function planCallbacks(providers: Partial<Record<ProviderName, Provider>>, plan: Plan): BenchCallback[] {
  const one = (i: number, final: boolean) =>
    withEvents(providers, providerFor(i), callbackRequest(providerFor(i), externalIdFor(plan.prefix, i), final));
  if (plan.kind === 'targets') {
    const random = seededRandom(plan.seed);
    return Array.from({ length: plan.count }, () => one(Math.floor(random() * plan.open), false));
  }
  const out: BenchCallback[] = [];
  for (let i = 0; i < plan.transactions + FINAL_LAG; i++) {
    if (i < plan.transactions) out.push(one(i, false));
    if (i >= FINAL_LAG) out.push(one(i - FINAL_LAG, true));
  }
  return out;
}

/** Posts as a provider's client would, on kept-alive connections (fetch pools them); resolves to the status. */
export async function postCallback(baseUrl: string, cb: Request): Promise<number> {
  const res = await fetch(baseUrl + cb.path, { method: 'POST', headers: cb.headers, body: cb.body });
  await res.arrayBuffer();
  return res.status;
}
