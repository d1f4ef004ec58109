// Signicat's variables and the settings built from them (docs/providers/signicat.md).
import { z } from 'zod';
import { baseProviderEnv, baseProviderSettings, secret } from '../env';
import type { ProviderCommon } from '../module';
import { rotatingSecret } from '../secrets';

export const signicatEnv = {
  ...baseProviderEnv('SIGNICAT', { apiUrl: 'https://api.signicat.com', rateLimit: 10 }),
  ...rotatingSecret('SIGNICAT_CALLBACK_AUTHORIZATION'),
  // Which header carries `authorizationHeader` back is unconfirmed (docs/providers/signicat.md).
  SIGNICAT_CALLBACK_AUTHORIZATION_HEADER: z
    .string()
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name')
    .default('authorization')
    .transform((v) => v.toLowerCase()),
  SIGNICAT_CLIENT_ID: secret,
  SIGNICAT_CLIENT_SECRET: secret,
  /** OAuth2 token endpoint; default `{SIGNICAT_API_URL}/auth/open/connect/token`. */
  SIGNICAT_TOKEN_URL: z.url().optional(),
  SIGNICAT_SCOPE: z.string().min(1).default('signicat-api'),
  // UNCONFIRMED path (docs/providers/signicat.md): no public source names it. `{dossierId}` and
  // `{processId}` are filled in; on 404/405/501 the follow-up falls back to Get process.
  SIGNICAT_NOTIFY_PATH: z.string().startsWith('/').default('/assure/dossiers/{dossierId}/processes/{processId}/notify'),
};

export function signicatSettings(e: Record<string, unknown>, common: ProviderCommon) {
  const base = baseProviderSettings('SIGNICAT', e, common);
  return {
    ...base,
    callbackAuthorization: e.SIGNICAT_CALLBACK_AUTHORIZATION as string | undefined,
    callbackAuthorizationPrevious: e.SIGNICAT_CALLBACK_AUTHORIZATION_PREVIOUS as string | undefined,
    callbackAuthorizationHeader: e.SIGNICAT_CALLBACK_AUTHORIZATION_HEADER as string,
    clientId: e.SIGNICAT_CLIENT_ID as string | undefined,
    clientSecret: e.SIGNICAT_CLIENT_SECRET as string | undefined,
    tokenUrl:
      (e.SIGNICAT_TOKEN_URL as string | undefined) ?? `${base.apiUrl.replace(/\/+$/, '')}/auth/open/connect/token`,
    scope: e.SIGNICAT_SCOPE as string,
    notifyPath: e.SIGNICAT_NOTIFY_PATH as string,
  };
}
export type SignicatSettings = ReturnType<typeof signicatSettings>;
