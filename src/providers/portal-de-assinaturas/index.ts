// Portal de Assinaturas (Certisign): signing documents and registered mail, one callback URL
// for both (docs/providers/portal-de-assinaturas.md).
import { join } from 'node:path';
import { defineProvider } from '../module';
import { createPortalDeAssinaturasFollowUp } from './api';
import { createPortalDeAssinaturas } from './callback';
import { portalEnv, portalSettings, type PortalSettings } from './config';
import { portalDocuments } from './document';
import { documentCallbackSchema, registeredMailCallbackSchema } from './events';

export * from './callback';
export * from './events';
export { createPortalDeAssinaturasFollowUp } from './api';
export type { PortalSettings } from './config';

export const portalDeAssinaturas = defineProvider<PortalSettings>({
  name: 'portal-de-assinaturas',
  label: 'Portal de Assinaturas',
  envPrefix: 'PORTAL_DE_ASSINATURAS',
  kinds: ['signing', 'registered-mail'],
  env: portalEnv,
  settings: portalSettings,
  accountVariables: [
    'PORTAL_DE_ASSINATURAS_TOKEN',
    'PORTAL_DE_ASSINATURAS_CALLBACK_HEADER',
    'PORTAL_DE_ASSINATURAS_CALLBACK_HEADER_PREVIOUS',
  ],
  callbackGuards: ['PORTAL_DE_ASSINATURAS_CALLBACK_HEADER', 'PORTAL_DE_ASSINATURAS_ALLOWED_IPS'],
  // Retries every 30 minutes for 24 hours: ask once those are over.
  followUpDefaults: { firstAfter: '25 hours', maxInterval: '1 day' },
  callbackSchema: documentCallbackSchema
    .or(registeredMailCallbackSchema)
    .describe(
      'Document or registered-mail callback; top-level field names match case-insensitively (documentId, documentID).',
    ),
  receiver: createPortalDeAssinaturas,
  followUp: createPortalDeAssinaturasFollowUp,
  canConfirm: (s) => !!s.token,
  documents: (settings) => (tx, limits, spool) => portalDocuments(tx, settings, limits, spool),
  demo: join(__dirname, 'demo'),
});
