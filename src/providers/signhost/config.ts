// Signhost's variables and the settings built from them (docs/providers/signhost.md).
import { z } from 'zod';
import { baseProviderEnv, baseProviderSettings, secret } from '../env';
import type { ProviderCommon } from '../module';
import { rotatingSecret } from '../secrets';

export const signhostEnv = {
  // Signhost asks integrators not to poll actively: keep its share of requests small.
  ...baseProviderEnv('SIGNHOST', { apiUrl: 'https://api.signhost.com/api', rateLimit: 2 }),
  ...rotatingSecret('SIGNHOST_SHARED_SECRET'),
  ...rotatingSecret('SIGNHOST_POSTBACK_AUTHORIZATION'),
  SIGNHOST_APP_KEY: secret,
  SIGNHOST_API_KEY: secret,
  /**
   * Signer activities one postback may carry; beyond it the status still counts and the oldest
   * activities are dropped (the checksum covers only Id and Status, so the rest is unproven).
   */
  SIGNHOST_MAX_ACTIVITIES_PER_POSTBACK: z.coerce.number().int().min(1).max(10_000).default(200),
};

export function signhostSettings(e: Record<string, unknown>, common: ProviderCommon) {
  return {
    ...baseProviderSettings('SIGNHOST', e, common),
    sharedSecret: e.SIGNHOST_SHARED_SECRET as string | undefined,
    sharedSecretPrevious: e.SIGNHOST_SHARED_SECRET_PREVIOUS as string | undefined,
    postbackAuthorization: e.SIGNHOST_POSTBACK_AUTHORIZATION as string | undefined,
    postbackAuthorizationPrevious: e.SIGNHOST_POSTBACK_AUTHORIZATION_PREVIOUS as string | undefined,
    appKey: e.SIGNHOST_APP_KEY as string | undefined,
    apiKey: e.SIGNHOST_API_KEY as string | undefined,
    maxActivitiesPerPostback: e.SIGNHOST_MAX_ACTIVITIES_PER_POSTBACK as number,
  };
}
export type SignhostSettings = ReturnType<typeof signhostSettings>;
