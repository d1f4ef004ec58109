// Signhost status poll (docs/providers/signhost.md): GET {base}/transaction/{id} with
// `Application: APPKey {appkey}` and `Authorization: APIKey {apikey}`. A cleaned-up
// transaction answers 410 Gone and still carries its final Status.
import type { SignhostSettings } from './config';
import { ProviderNotConfiguredError, ProviderResponseError } from '../http/errors';
import type { FollowUpRequest, FollowUpResult } from '../../common/types';
import { SIGNHOST_STATUSES, parseSignhostTransaction, signhostEvents } from './transaction';
import { parseJson, providerClient, type ApiDeps, type FollowUp } from '../provider-call';

export function createSignhostFollowUp(settings: SignhostSettings, deps: ApiDeps = {}): FollowUp {
  const http = providerClient('signhost', settings, deps);
  return async function followUp(req: FollowUpRequest): Promise<FollowUpResult> {
    const { appKey, apiKey } = settings;
    if (!appKey || !apiKey) {
      throw new ProviderNotConfiguredError('SIGNHOST_APP_KEY and SIGNHOST_API_KEY are required to poll', {
        provider: 'signhost',
        operation: 'get transaction',
      });
    }
    const res = await http.request({
      operation: 'get transaction',
      method: 'GET',
      path: `/transaction/${encodeURIComponent(req.ref.externalId)}`,
      headers: {
        application: `APPKey ${appKey}`,
        authorization: `APIKey ${apiKey}`,
        accept: 'application/vnd.signhost.v1+json',
      },
      acceptStatuses: [404, 410],
    });
    if (res.status === 404) return { events: [], outcome: 'polled: not found (HTTP 404)' };
    const gone = res.status === 410;
    // The same mapping as postbacks (signer activities included), so a poll and the postback
    // that follows it share event keys and the second is a duplicate.
    const parsed = parseSignhostTransaction(parseJson(res.text));
    if (!parsed.ok) {
      if (gone) return { events: [], outcome: 'polled: gone (HTTP 410) without a status' };
      throw new ProviderResponseError('transaction without a numeric Status', {
        provider: 'signhost',
        operation: 'get transaction',
      });
    }
    const code = parsed.value.tx.Status;
    const events = signhostEvents(parsed.value.tx, 'poll', new Date().toISOString());
    if (gone) for (const e of events) e.details = { ...e.details, gone: true };
    const prefix = gone ? 'polled: gone (HTTP 410),' : 'polled:';
    return { events, outcome: `${prefix} status ${code} (${SIGNHOST_STATUSES[code]?.label ?? 'unknown status'})` };
  };
}
