// Portal de Assinaturas' variables and the settings built from them
// (docs/providers/portal-de-assinaturas.md).
import { z } from 'zod';
import { addressList, baseProviderEnv, baseProviderSettings, secret } from '../env';
import type { ProviderCommon } from '../module';

const callbackHeader = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+:\s*\S.*$/, 'expected "Name: value"')
  .optional();

export const portalEnv = {
  // In the sender allowlist, `production` and `sandbox` stand for the provider's published ranges.
  ...baseProviderEnv('PORTAL_DE_ASSINATURAS', {
    apiUrl: 'https://api.portaldeassinaturas.com.br/api/v2',
    rateLimit: 5,
    allowedIps: addressList(['production', 'sandbox']),
  }),
  PORTAL_DE_ASSINATURAS_TOKEN: secret,
  PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: callbackHeader,
  /** The header being retired during a rotation (docs/secret-rotation.md); its name may differ. */
  PORTAL_DE_ASSINATURAS_CALLBACK_HEADER_PREVIOUS: callbackHeader,
  // UNCONFIRMED path (docs/providers/portal-de-assinaturas.md): no public source names a
  // details/status endpoint. `{documentId}` is filled in. Check the provider's Swagger and set the real one.
  PORTAL_DE_ASSINATURAS_STATUS_PATH: z.string().startsWith('/').default('/document/details?key={documentId}'),
};

export function portalSettings(e: Record<string, unknown>, common: ProviderCommon) {
  return {
    ...baseProviderSettings('PORTAL_DE_ASSINATURAS', e, common),
    token: e.PORTAL_DE_ASSINATURAS_TOKEN as string | undefined,
    callbackHeader: e.PORTAL_DE_ASSINATURAS_CALLBACK_HEADER as string | undefined,
    callbackHeaderPrevious: e.PORTAL_DE_ASSINATURAS_CALLBACK_HEADER_PREVIOUS as string | undefined,
    statusPath: e.PORTAL_DE_ASSINATURAS_STATUS_PATH as string,
  };
}
export type PortalSettings = ReturnType<typeof portalSettings>;
