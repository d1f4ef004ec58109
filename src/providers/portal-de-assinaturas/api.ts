// Portal de Assinaturas document status (docs/providers/portal-de-assinaturas.md). No public source names a details
// or status endpoint: the path is PORTAL_DE_ASSINATURAS_STATUS_PATH (UNCONFIRMED default
// `/document/details?key={documentId}`), authenticated with the `Token` header (docs/providers/portal-de-assinaturas.md). The
// answer's shape is unconfirmed too: the document's last action is read from `status` or
// `action`, in the callback's vocabulary (docs/providers/portal-de-assinaturas.md). Registered mail has no status API.
import { z } from 'zod';
import type { PortalSettings } from './config';
import { ProviderNotConfiguredError, ProviderResponseError } from '../http/errors';
import type { FollowUpRequest, FollowUpResult } from '../../common/types';
import { documentEvent } from './events';
import { fillPath, parseJson, providerClient, type ApiDeps, type FollowUp } from '../provider-call';

const detailsAnswer = z.union([z.object({ status: z.string().min(1) }), z.object({ action: z.string().min(1) })]);

export function createPortalDeAssinaturasFollowUp(settings: PortalSettings, deps: ApiDeps = {}): FollowUp {
  const http = providerClient('portal-de-assinaturas', settings, deps);
  return async function followUp(req: FollowUpRequest): Promise<FollowUpResult> {
    if (req.ref.kind === 'registered-mail')
      return { events: [], outcome: 'not supported: registered mail has no status API' };
    if (!settings.token) {
      throw new ProviderNotConfiguredError('PORTAL_DE_ASSINATURAS_TOKEN is required to poll', {
        provider: 'portal-de-assinaturas',
        operation: 'document status',
      });
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
      throw new ProviderResponseError('document answer without a status or action', {
        provider: 'portal-de-assinaturas',
        operation: 'document status',
      });
    }
    const action = 'status' in parsed.data ? parsed.data.status : parsed.data.action;
    // The callback's own mapping and keys; a poll cannot tell which signer acted, so a
    // per-signer action is keyed by the action alone.
    const event = documentEvent(
      {
        documentid: req.ref.externalId,
        action,
        name: undefined,
        identifier: undefined,
        message: undefined,
        apidownload: undefined,
      },
      'poll',
      new Date().toISOString(),
      () => undefined,
    );
    return { events: [event], outcome: `polled: ${action}` };
  };
}
