// Signhost status poll (providers §1e): GET {base}/transaction/{id} with
// `Application: APPKey {appkey}` and `Authorization: APIKey {apikey}`. A cleaned-up
// transaction answers 410 Gone and still carries its final Status.
import { z } from 'zod';
import type { ProviderApiConfig } from '../../config';
import { ProviderNotConfiguredError, ProviderResponseError } from '../http/errors';
import type { EventType, FollowUpRequest, FollowUpResult, ProviderEvent, TransactionStatus } from '../../shared/types';
import { parseJson, providerClient, type ApiDeps, type FollowUp } from './provider-call';

/** Transaction Status → normalized status (CONTRACTS.md). The postback receiver keys the same way. */
const STATUSES: Record<number, { status: TransactionStatus; type: EventType; label: string }> = {
  5: { status: 'pending', type: 'statusReported', label: 'waiting for document' },
  10: { status: 'pending', type: 'statusReported', label: 'waiting for signer' },
  20: { status: 'in_progress', type: 'statusReported', label: 'in progress' },
  30: { status: 'signed', type: 'signed', label: 'signed' },
  40: { status: 'rejected', type: 'rejected', label: 'rejected' },
  50: { status: 'expired', type: 'expired', label: 'expired' },
  60: { status: 'cancelled', type: 'cancelled', label: 'cancelled' },
  70: { status: 'failed', type: 'failed', label: 'failed' },
};

export function signhostStatusEvent(code: number, source: ProviderEvent['source'], receivedAt: string): ProviderEvent | undefined {
  const entry = STATUSES[code];
  if (!entry) return undefined;
  return { key: `status:${code}`, type: entry.type, source, receivedAt, status: entry.status, providerStatus: String(code), details: { label: entry.label } };
}

const transactionAnswer = z.object({ Status: z.number().int() });

export function createSignhostFollowUp(settings: ProviderApiConfig['signhost'], deps: ApiDeps = {}): FollowUp {
  const http = providerClient('signhost', settings, deps);
  return async function followUp(req: FollowUpRequest): Promise<FollowUpResult> {
    const { appKey, apiKey } = settings;
    if (!appKey || !apiKey) {
      throw new ProviderNotConfiguredError('SIGNHOST_APP_KEY and SIGNHOST_API_KEY are required to poll', { provider: 'signhost', operation: 'get transaction' });
    }
    const res = await http.request({
      operation: 'get transaction',
      method: 'GET',
      path: `/transaction/${encodeURIComponent(req.ref.externalId)}`,
      headers: { application: `APPKey ${appKey}`, authorization: `APIKey ${apiKey}`, accept: 'application/vnd.signhost.v1+json' },
      acceptStatuses: [404, 410],
    });
    if (res.status === 404) return { events: [], outcome: 'polled: not found (HTTP 404)' };
    const gone = res.status === 410;
    const parsed = transactionAnswer.safeParse(parseJson(res.text));
    if (!parsed.success) {
      if (gone) return { events: [], outcome: 'polled: gone (HTTP 410) without a status' };
      throw new ProviderResponseError('transaction without a numeric Status', { provider: 'signhost', operation: 'get transaction' });
    }
    const code = parsed.data.Status;
    const event = signhostStatusEvent(code, 'poll', new Date().toISOString());
    const prefix = gone ? 'polled: gone (HTTP 410),' : 'polled:';
    if (!event) return { events: [], outcome: `${prefix} unknown status ${code}` };
    if (gone) event.details = { ...event.details, gone: true };
    return { events: [event], outcome: `${prefix} status ${code} (${STATUSES[code].label})` };
  };
}
