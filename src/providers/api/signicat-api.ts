// Signicat Assure follow-up (seed 003, providers §3). Signicat never retries a callback;
// instead it offers a Notify endpoint that sends it again. So the first follow-up after
// silence asks for a notification (the real callback then arrives at the receiver); if the
// follow-up before this one already asked and nothing came, Get process tells the truth.
import { z } from 'zod';
import type { ProviderApiConfig } from '../../config';
import { ProviderAuthError, ProviderResponseError } from '../http/errors';
import { TokenBucket } from '../http/token-bucket';
import type { ProviderRequest, ProviderResponse } from '../http/provider-http-client';
import type { EventType, FollowUpRequest, FollowUpResult, ProviderEvent, TransactionStatus } from '../../shared/types';
import { fillPath, parseJson, providerClient, type ApiDeps, type FollowUp } from './provider-call';
import { createTokenSource } from './signicat-token';

/** Process status → normalized status (CONTRACTS.md); unknown values are kept without one. */
const STATUSES: Record<string, { status: TransactionStatus; type: EventType }> = {
  pending: { status: 'in_progress', type: 'statusReported' },
  processing: { status: 'in_progress', type: 'statusReported' },
  accepted: { status: 'signed', type: 'signed' },
  rejected: { status: 'rejected', type: 'rejected' },
  inconclusive: { status: 'failed', type: 'failed' },
  failed: { status: 'failed', type: 'failed' },
};

export function signicatStatusEvent(value: string, source: ProviderEvent['source'], receivedAt: string): ProviderEvent {
  const entry = STATUSES[value];
  return {
    key: `status:${value}`,
    type: entry?.type ?? 'statusReported',
    source,
    receivedAt,
    ...(entry && { status: entry.status }),
    providerStatus: value,
  };
}

/** Outcome prefix the next follow-up reads (FollowUpRequest.previousOutcome). */
export const NOTIFY_REQUESTED = 'notify requested';

// The Notify path is unconfirmed: a 404, 405 or 501 may mean "no such endpoint here", and
// then Get process answers instead of giving up.
const NOTIFY_UNAVAILABLE = [404, 405, 501];

const processAnswer = z.object({ status: z.string().min(1) });

export function createSignicatFollowUp(settings: ProviderApiConfig['signicat'], deps: ApiDeps = {}): FollowUp {
  // Token, notify and get share one budget: they all land on Signicat.
  const rateLimiter = deps.rateLimiter ?? new TokenBucket({ ratePerSecond: settings.rateLimit, clock: deps.clock });
  const api = providerClient('signicat', settings, { ...deps, rateLimiter });
  const tokens = createTokenSource({
    http: providerClient('signicat', settings, { ...deps, rateLimiter }, settings.tokenUrl),
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    scope: settings.scope,
    clock: deps.clock,
  });

  /** With a bearer token; a token refused before its time is renewed once. */
  async function call(req: ProviderRequest): Promise<ProviderResponse> {
    const send = async () => api.request({ ...req, headers: { ...req.headers, authorization: `Bearer ${await tokens.get()}` } });
    try {
      return await send();
    } catch (err) {
      if (!(err instanceof ProviderAuthError) || err.operation === 'token') throw err;
      tokens.invalidate();
      return send();
    }
  }

  async function getProcess(path: string): Promise<FollowUpResult> {
    const res = await call({ operation: 'get process', method: 'GET', path, acceptStatuses: [404] });
    if (res.status === 404) return { events: [], outcome: 'polled: process not found (HTTP 404)' };
    const parsed = processAnswer.safeParse(parseJson(res.text));
    if (!parsed.success) throw new ProviderResponseError('process without a status', { provider: 'signicat', operation: 'get process' });
    const event = signicatStatusEvent(parsed.data.status, 'poll', new Date().toISOString());
    return { events: [event], outcome: `polled: status ${parsed.data.status}` };
  }

  return async function followUp(req: FollowUpRequest): Promise<FollowUpResult> {
    if (!req.dossierId) return { events: [], outcome: 'skipped: no dossierId to find the process' };
    const ids = { dossierId: req.dossierId, processId: req.ref.externalId };
    const processPath = fillPath('/assure/dossiers/{dossierId}/processes/{processId}', ids);
    const notifiedInVain = req.attempt > 1 && req.previousOutcome?.startsWith(NOTIFY_REQUESTED);
    if (notifiedInVain) return getProcess(processPath);

    const res = await call({ operation: 'notify', method: 'POST', path: fillPath(settings.notifyPath, ids), acceptStatuses: NOTIFY_UNAVAILABLE });
    if (!NOTIFY_UNAVAILABLE.includes(res.status)) return { events: [], outcome: `${NOTIFY_REQUESTED}: the callback should follow` };
    const polled = await getProcess(processPath);
    return { ...polled, outcome: `notify unavailable (HTTP ${res.status}); ${polled.outcome}` };
  };
}
