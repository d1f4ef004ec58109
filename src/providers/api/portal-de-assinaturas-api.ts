// Portal de Assinaturas document status (providers §4a). No public source names a details
// or status endpoint: the path is PORTAL_DE_ASSINATURAS_STATUS_PATH (UNCONFIRMED default
// `/document/details?key={documentId}`), authenticated with the `Token` header (§4c). The
// answer's shape is unconfirmed too: the document's last action is read from `status` or
// `action`, in the callback's vocabulary (seed 001). Registered mail has no status API.
import { z } from 'zod';
import type { ProviderApiConfig } from '../../config';
import { ProviderNotConfiguredError, ProviderResponseError } from '../http/errors';
import type { EventType, FollowUpRequest, FollowUpResult, ProviderEvent, TransactionStatus } from '../../shared/types';
import { fillPath, parseJson, providerClient, type ApiDeps, type FollowUp } from './provider-call';

/** A document action (seed 001) → normalized status and event type. */
export function portalAction(action: string): { status?: TransactionStatus; type: EventType } {
  const a = action.trim().toUpperCase();
  if (a === 'FLOW') return { status: 'signed', type: 'signed' };
  if (a === 'SIGNATURE-NOK' || a === 'AUTHORIZATION-NOK' || a === 'APPROVAL-NOK') return { status: 'rejected', type: 'rejected' };
  if (/^STEP-\d+$/.test(a)) return { status: 'in_progress', type: 'stepCompleted' };
  if (/^SIGNATURE-(ELETRONIC|DIGITAL|SERVER)$/.test(a) || a === 'AUTHORIZATION-OK' || a === 'APPROVAL-OK') {
    return { status: 'in_progress', type: 'signerAction' };
  }
  return { type: 'statusReported' };
}

export function portalStatusEvent(action: string, source: ProviderEvent['source'], receivedAt: string): ProviderEvent {
  const { status, type } = portalAction(action);
  return { key: `status:${action.trim().toUpperCase()}`, type, source, receivedAt, ...(status && { status }), providerStatus: action };
}

const detailsAnswer = z.union([z.object({ status: z.string().min(1) }), z.object({ action: z.string().min(1) })]);

export function createPortalDeAssinaturasFollowUp(settings: ProviderApiConfig['portal-de-assinaturas'], deps: ApiDeps = {}): FollowUp {
  const http = providerClient('portal-de-assinaturas', settings, deps);
  return async function followUp(req: FollowUpRequest): Promise<FollowUpResult> {
    if (req.ref.kind === 'registered-mail') return { events: [], outcome: 'not supported: registered mail has no status API' };
    if (!settings.token) {
      throw new ProviderNotConfiguredError('PORTAL_DE_ASSINATURAS_TOKEN is required to poll', { provider: 'portal-de-assinaturas', operation: 'document status' });
    }
    const res = await http.request({
      operation: 'document status',
      method: 'GET',
      path: fillPath(settings.statusPath, { documentId: req.ref.externalId }),
      headers: { token: settings.token },
      acceptStatuses: [404],
    });
    if (res.status === 404) return { events: [], outcome: 'polled: not found (HTTP 404)' };
    const parsed = detailsAnswer.safeParse(parseJson(res.text));
    if (!parsed.success) {
      throw new ProviderResponseError('document answer without a status or action', { provider: 'portal-de-assinaturas', operation: 'document status' });
    }
    const action = 'status' in parsed.data ? parsed.data.status : parsed.data.action;
    return { events: [portalStatusEvent(action, 'poll', new Date().toISOString())], outcome: `polled: ${action}` };
  };
}
