// Signhost's variables and the settings built from them (docs/providers/signhost.md).
import { z } from 'zod';
import { allowUnauthenticated, ipList, optionalDuration, rate, secret, url } from '../env';
import type { ProviderCommon } from '../module';

export const signhostEnv = {
  SIGNHOST_API_URL: url('https://api.signhost.com/api'),
  SIGNHOST_SHARED_SECRET: secret,
  SIGNHOST_POSTBACK_AUTHORIZATION: secret,
  SIGNHOST_APP_KEY: secret,
  SIGNHOST_API_KEY: secret,
  SIGNHOST_ALLOWED_IPS: ipList,
  SIGNHOST_ALLOW_UNAUTHENTICATED: allowUnauthenticated,
  /**
   * Signer activities one postback may carry; beyond it the status still counts and the oldest
   * activities are dropped (the checksum covers only Id and Status, so the rest is unproven).
   */
  SIGNHOST_MAX_ACTIVITIES_PER_POSTBACK: z.coerce.number().int().min(1).max(10_000).default(200),
  // Signhost asks integrators not to poll actively: keep its share small.
  SIGNHOST_API_RATE_LIMIT: rate(2),
  SIGNHOST_FOLLOW_UP_FIRST_AFTER: optionalDuration,
  SIGNHOST_FOLLOW_UP_MAX_INTERVAL: optionalDuration,
};

export function signhostSettings(e: Record<string, unknown>, common: ProviderCommon) {
  return {
    ...common,
    apiUrl: e.SIGNHOST_API_URL as string,
    rateLimit: e.SIGNHOST_API_RATE_LIMIT as number,
    allowedIps: e.SIGNHOST_ALLOWED_IPS as string[],
    sharedSecret: e.SIGNHOST_SHARED_SECRET as string | undefined,
    postbackAuthorization: e.SIGNHOST_POSTBACK_AUTHORIZATION as string | undefined,
    appKey: e.SIGNHOST_APP_KEY as string | undefined,
    apiKey: e.SIGNHOST_API_KEY as string | undefined,
    maxActivitiesPerPostback: e.SIGNHOST_MAX_ACTIVITIES_PER_POSTBACK as number,
  };
}
export type SignhostSettings = ReturnType<typeof signhostSettings>;
