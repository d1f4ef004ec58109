// Evrotrust's variables and the settings built from them (docs/providers/evrotrust.md).
import { allowUnauthenticated, ipList, optionalDuration, rate, secret, url } from '../env';
import type { ProviderCommon } from '../module';

export const evrotrustEnv = {
  EVROTRUST_API_URL: url('https://v.evrotrust.com/vendor'),
  EVROTRUST_API_KEY: secret,
  EVROTRUST_VENDOR_NUMBER: secret,
  EVROTRUST_ALLOWED_IPS: ipList,
  EVROTRUST_ALLOW_UNAUTHENTICATED: allowUnauthenticated,
  EVROTRUST_API_RATE_LIMIT: rate(10),
  EVROTRUST_FOLLOW_UP_FIRST_AFTER: optionalDuration,
  EVROTRUST_FOLLOW_UP_MAX_INTERVAL: optionalDuration,
};

export function evrotrustSettings(e: Record<string, unknown>, common: ProviderCommon) {
  return {
    ...common,
    apiUrl: e.EVROTRUST_API_URL as string,
    rateLimit: e.EVROTRUST_API_RATE_LIMIT as number,
    allowedIps: e.EVROTRUST_ALLOWED_IPS as string[],
    apiKey: e.EVROTRUST_API_KEY as string | undefined,
    vendorNumber: e.EVROTRUST_VENDOR_NUMBER as string | undefined,
  };
}
export type EvrotrustSettings = ReturnType<typeof evrotrustSettings>;
