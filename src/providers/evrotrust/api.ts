// Evrotrust status poll (docs/providers/evrotrust.md): POST {base}/document/status with
// {"vendorNumber","transactionID"} and `Authorization: <hex HMAC-SHA256>` whose key is the
// raw SHA-256 digest of the API key and whose message is the exact body sent.
import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import type { EvrotrustSettings } from './config';
import { EVROTRUST_STATUSES, evrotrustEvent } from './callback';
import { ProviderNotConfiguredError, ProviderResponseError } from '../http/errors';
import type { FollowUpRequest, FollowUpResult } from '../../common/types';
import { parseJson, providerClient, type ApiDeps, type FollowUp } from '../provider-call';

export function evrotrustAuthorization(apiKey: string, body: string): string {
  const key = createHash('sha256').update(apiKey, 'utf8').digest();
  return createHmac('sha256', key).update(body, 'utf8').digest('hex');
}

const statusAnswer = z.object({
  status: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
  isProcessing: z.union([z.boolean(), z.number(), z.string()]).optional(),
});

// Evrotrust answers an unknown transaction with its own 443 (docs/providers/evrotrust.md); 404 for safety.
const NOT_FOUND = [443, 404];

export function createEvrotrustFollowUp(settings: EvrotrustSettings, deps: ApiDeps = {}): FollowUp {
  const http = providerClient('evrotrust', settings, deps);
  return async function followUp(req: FollowUpRequest): Promise<FollowUpResult> {
    const { apiKey, vendorNumber } = settings;
    if (!apiKey || !vendorNumber) {
      throw new ProviderNotConfiguredError('EVROTRUST_API_KEY and EVROTRUST_VENDOR_NUMBER are required to poll', {
        provider: 'evrotrust',
        operation: 'document status',
      });
    }
    const body = JSON.stringify({ vendorNumber, transactionID: req.ref.externalId });
    const res = await http.request({
      operation: 'document status',
      method: 'POST',
      path: '/document/status',
      headers: { authorization: evrotrustAuthorization(apiKey, body) },
      body,
      acceptStatuses: NOT_FOUND,
    });
    if (NOT_FOUND.includes(res.status)) return { events: [], outcome: `polled: not found (HTTP ${res.status})` };
    const parsed = statusAnswer.safeParse(parseJson(res.text));
    if (!parsed.success) {
      throw new ProviderResponseError('status answer without a numeric status', {
        provider: 'evrotrust',
        operation: 'document status',
      });
    }
    const { status, isProcessing } = parsed.data;
    if (!(status in EVROTRUST_STATUSES)) return { events: [], outcome: `polled: unknown status ${status}` };
    const event = evrotrustEvent(status, 'poll', new Date().toISOString());
    if (isProcessing !== undefined)
      event.details = {
        ...event.details,
        isProcessing: isProcessing === true || isProcessing === 1 || isProcessing === '1',
      };
    return { events: [event], outcome: `polled: status ${status} (${EVROTRUST_STATUSES[status].label})` };
  };
}
