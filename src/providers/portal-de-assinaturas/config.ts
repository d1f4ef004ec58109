// Portal de Assinaturas' variables and the settings built from them
// (docs/providers/portal-de-assinaturas.md).
import { z } from 'zod';
import { addressList, allowUnauthenticated, optionalDuration, rate, secret, url } from '../env';
import type { ProviderCommon } from '../module';

export const portalEnv = {
  PORTAL_DE_ASSINATURAS_API_URL: url('https://api.portaldeassinaturas.com.br/api/v2'),
  PORTAL_DE_ASSINATURAS_TOKEN: secret,
  PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: z
    .string()
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+:\s*\S.*$/, 'expected "Name: value"')
    .optional(),
  // `production` and `sandbox` stand for the provider's published sender ranges.
  PORTAL_DE_ASSINATURAS_ALLOWED_IPS: addressList(['production', 'sandbox']),
  PORTAL_DE_ASSINATURAS_ALLOW_UNAUTHENTICATED: allowUnauthenticated,
  // UNCONFIRMED path (docs/providers/portal-de-assinaturas.md): no public source names a
  // details/status endpoint. `{documentId}` is filled in. Check the provider's Swagger and set the real one.
  PORTAL_DE_ASSINATURAS_STATUS_PATH: z.string().startsWith('/').default('/document/details?key={documentId}'),
  PORTAL_DE_ASSINATURAS_API_RATE_LIMIT: rate(5),
  PORTAL_DE_ASSINATURAS_FOLLOW_UP_FIRST_AFTER: optionalDuration,
  PORTAL_DE_ASSINATURAS_FOLLOW_UP_MAX_INTERVAL: optionalDuration,
};

export function portalSettings(e: Record<string, unknown>, common: ProviderCommon) {
  return {
    ...common,
    apiUrl: e.PORTAL_DE_ASSINATURAS_API_URL as string,
    rateLimit: e.PORTAL_DE_ASSINATURAS_API_RATE_LIMIT as number,
    allowedIps: e.PORTAL_DE_ASSINATURAS_ALLOWED_IPS as string[],
    token: e.PORTAL_DE_ASSINATURAS_TOKEN as string | undefined,
    callbackHeader: e.PORTAL_DE_ASSINATURAS_CALLBACK_HEADER as string | undefined,
    statusPath: e.PORTAL_DE_ASSINATURAS_STATUS_PATH as string,
  };
}
export type PortalSettings = ReturnType<typeof portalSettings>;
