// Transactions for tests: registered through the HTTP API as an application registers them,
// and as a post-signing step receives them when they end.
import type { ProviderName, TransactionEventRecord, TransactionState } from '../../src/common/types';
import { SECRETS } from './provider-specs';
import { plainRequest } from './raw-http';

/** The `Authorization` header of an application holding the tests' COUNTERSIGN_API_TOKEN. */
export const API_AUTH = { authorization: `Bearer ${SECRETS.COUNTERSIGN_API_TOKEN}` };

export interface RegistrationAnswer {
  status: number;
  text: string;
  /** The parsed body; undefined when it is not JSON. */
  json: unknown;
}

/**
 * `POST /transactions` with a JSON body, answered as it came: for tests of refusals and of
 * registering twice. Over node:http, so `headers` may set any header, Host included.
 */
export async function postRegistration(
  baseUrl: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<RegistrationAnswer> {
  const res = await plainRequest(`${baseUrl}/transactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { ...res, json: parsed(res.text) };
}

/**
 * Registers a transaction through the HTTP API, as an application does; fails unless it is
 * created (201). Returns its workflow id.
 */
export async function registerViaApi(
  baseUrl: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await postRegistration(baseUrl, body, headers);
  const workflowId = (res.json as { workflowId?: unknown } | undefined)?.workflowId;
  if (res.status !== 201 || typeof workflowId !== 'string') {
    throw new Error(`registering ${JSON.stringify(body)} answered ${res.status}: ${res.text}`);
  }
  return workflowId;
}

/** `GET /transactions/{id}` at `url`, as the application reads it; fails unless it answers 200. */
export async function readTransaction(url: string): Promise<TransactionState> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as TransactionState;
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A transaction as a step receives it when it ended; events as the receivers record them. */
export function endedState(
  provider: ProviderName,
  externalId: string,
  events: Array<Partial<TransactionEventRecord> & Pick<TransactionEventRecord, 'key' | 'type'>>,
  over: Partial<TransactionState> = {},
): TransactionState {
  return {
    workflowId: `signing:${provider}:${externalId}`,
    provider,
    kind: 'signing',
    externalId,
    status: 'signed',
    providerStatus: 'FLOW',
    registered: true,
    reference: 'order-42',
    createdAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-01T11:00:00.000Z',
    events: events.map((e) => ({
      source: 'callback',
      receivedAt: '2026-03-01T11:00:00.000Z',
      providerStatus: e.key,
      applied: true,
      ...e,
    })),
    ...over,
  };
}
