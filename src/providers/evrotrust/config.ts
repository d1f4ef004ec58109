// Evrotrust's variables and the settings built from them (docs/providers/evrotrust.md).
import { baseProviderEnv, baseProviderSettings, secret } from '../env';
import type { ProviderCommon } from '../module';

export const evrotrustEnv = {
  ...baseProviderEnv('EVROTRUST', { apiUrl: 'https://v.evrotrust.com/vendor', rateLimit: 10 }),
  EVROTRUST_API_KEY: secret,
  EVROTRUST_VENDOR_NUMBER: secret,
};

export function evrotrustSettings(e: Record<string, unknown>, common: ProviderCommon) {
  return {
    ...baseProviderSettings('EVROTRUST', e, common),
    apiKey: e.EVROTRUST_API_KEY as string | undefined,
    vendorNumber: e.EVROTRUST_VENDOR_NUMBER as string | undefined,
  };
}
export type EvrotrustSettings = ReturnType<typeof evrotrustSettings>;
