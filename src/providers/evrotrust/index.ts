// Evrotrust: signing transactions; callbacks carry no credential (docs/providers/evrotrust.md).
import { join } from 'node:path';
import { defineProvider } from '../module';
import { createEvrotrustFollowUp } from './api';
import { createEvrotrust, evrotrustCallbackSchema } from './callback';
import { evrotrustEnv, evrotrustSettings, type EvrotrustSettings } from './config';

export * from './callback';
export { createEvrotrustFollowUp, evrotrustAuthorization } from './api';
export type { EvrotrustSettings } from './config';

export const evrotrust = defineProvider<EvrotrustSettings>({
  name: 'evrotrust',
  label: 'Evrotrust',
  envPrefix: 'EVROTRUST',
  kinds: ['signing'],
  env: evrotrustEnv,
  settings: evrotrustSettings,
  // Its callbacks carry no credential: only the sender address can be checked.
  accountVariables: ['EVROTRUST_API_KEY', 'EVROTRUST_VENDOR_NUMBER'],
  callbackGuards: ['EVROTRUST_ALLOWED_IPS'],
  // Three attempts within minutes; after an hour nothing more is coming.
  followUpDefaults: { firstAfter: '1 hour', maxInterval: '1 day' },
  callbackSchema: evrotrustCallbackSchema,
  receiver: createEvrotrust,
  followUp: createEvrotrustFollowUp,
  canConfirm: (s) => !!(s.apiKey && s.vendorNumber),
  demo: join(__dirname, 'demo'),
});
