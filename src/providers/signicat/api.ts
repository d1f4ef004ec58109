// Signicat Assure follow-up (docs/providers/signicat.md). Signicat never retries a callback;
// instead it offers a Notify endpoint that sends it again. So the first follow-up after
// silence asks for a notification (the real callback then arrives at the receiver); if the
// follow-up before this one already asked and nothing came, Get process tells the truth.
import { z } from 'zod';
import type { SignicatSettings } from './config';
import { ProviderAuthError, ProviderError, ProviderResponseError } from '../http/errors';
import { TokenBucket } from '../http/token-bucket';
import type { ProviderRequest, ProviderResponse } from '../http/provider-http-client';
import type { FollowUpRequest, FollowUpResult } from '../../common/types';
import { signicatEvent } from './callback';
import { fillPath, parseJson, providerClient, type ApiDeps, type FollowUp } from '../provider-call';
import { createTokenSource } from './token';

/** Process status → normalized status (docs/contract.md); unknown values are kept without one. */
/** Outcome prefix the next follow-up reads (FollowUpRequest.previousOutcome). */
export const NOTIFY_REQUESTED = 'notify requested';

// The Notify path is unconfirmed: a 404, 405 or 501 may mean "no such endpoint here", and
// then Get process answers instead of giving up.
const NOTIFY_UNAVAILABLE = [404, 405, 501];

const processAnswer = z.object({ status: z.string().min(1) });

export function createSignicatFollowUp(settings: SignicatSettings, deps: ApiDeps = {}): FollowUp {
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
    const send = async () =>
      api.request({ ...req, headers: { ...req.headers, authorization: `Bearer ${await tokens.get()}` } });
    try {
      return await send();
    } catch (err) {
      if (!(err instanceof ProviderAuthError) || err.operation === 'token') throw err;
      tokens.invalidate();
      return send();
    }
  }

  async function getProcess(path: string, dossierId: string): Promise<FollowUpResult> {
    const res = await call({ operation: 'get process', method: 'GET', path, acceptStatuses: [404] });
    if (res.status === 404) return { events: [], outcome: 'polled: process not found (HTTP 404)' };
    const parsed = processAnswer.safeParse(parseJson(res.text));
    if (!parsed.success)
      throw new ProviderResponseError('process without a status', { provider: 'signicat', operation: 'get process' });
    const event = signicatEvent(parsed.data.status, 'poll', new Date().toISOString(), dossierId);
    return { events: [event], outcome: `polled: status ${parsed.data.status}` };
  }

  return async function followUp(req: FollowUpRequest): Promise<FollowUpResult> {
    if (!req.dossierId) return { events: [], outcome: 'skipped: no dossierId to find the process' };
    const ids = { dossierId: req.dossierId, processId: req.ref.externalId };
    const processPath = fillPath('/assure/dossiers/{dossierId}/processes/{processId}', ids);
    // Notify first (the real callback follows); if that already brought nothing, or an
    // operator asked for a poll, read the process itself.
    const notifiedInVain = req.attempt > 1 && req.previousOutcome?.startsWith(NOTIFY_REQUESTED);
    if (req.requested === 'poll' || (notifiedInVain && req.requested !== 'notify'))
      return getProcess(processPath, req.dossierId);

    let failure: string;
    try {
      const res = await call({
        operation: 'notify',
        method: 'POST',
        path: fillPath(settings.notifyPath, ids),
        acceptStatuses: NOTIFY_UNAVAILABLE,
      });
      if (!NOTIFY_UNAVAILABLE.includes(res.status))
        return { events: [], outcome: `${NOTIFY_REQUESTED}: the callback should follow` };
      failure = `notify unavailable (HTTP ${res.status})`;
    } catch (err) {
      // Any other Notify failure (400, 403, 5xx after retries) would fail this follow-up, and
      // the next would call Notify again, forever: the process itself answers instead. A token
      // refused fails Get process too, so that one is left to fail.
      if (!(err instanceof ProviderError) || err.operation === 'token') throw err;
      failure = `notify failed (${err.status === undefined ? err.name : `HTTP ${err.status}`})`;
    }
    const polled = await getProcess(processPath, req.dossierId);
    return { ...polled, outcome: `${failure}; ${polled.outcome}` };
  };
}
