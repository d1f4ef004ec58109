// Signicat Assure: signing processes in dossiers; one callback per process, never retried
// (docs/providers/signicat.md).
import { join } from 'node:path';
import { defineProvider } from '../module';
import { createSignicatFollowUp } from './api';
import { createSignicat, signicatCallbackSchema } from './callback';
import { signicatEnv, signicatSettings, type SignicatSettings } from './config';

export * from './callback';
export { createSignicatFollowUp, NOTIFY_REQUESTED } from './api';
export { basicClientAuth, createTokenSource, type TokenSource } from './token';
export type { SignicatSettings } from './config';

export const signicat = defineProvider<SignicatSettings>({
  name: 'signicat',
  label: 'Signicat',
  envPrefix: 'SIGNICAT',
  kinds: ['signing'],
  env: signicatEnv,
  settings: signicatSettings,
  accountVariables: [
    'SIGNICAT_CALLBACK_AUTHORIZATION',
    'SIGNICAT_CALLBACK_AUTHORIZATION_PREVIOUS',
    'SIGNICAT_CLIENT_ID',
    'SIGNICAT_CLIENT_SECRET',
  ],
  callbackGuards: ['SIGNICAT_CALLBACK_AUTHORIZATION', 'SIGNICAT_ALLOWED_IPS'],
  // Never retries a callback: a missed one is gone, and Notify is cheap.
  followUpDefaults: { firstAfter: '15 minutes', maxInterval: '6 hours' },
  // Notify and Get process address a process inside its dossier.
  requiredRegistrationFields: ['dossierId'],
  callbackSchema: signicatCallbackSchema,
  receiver: createSignicat,
  followUp: createSignicatFollowUp,
  // Its follow-up asks for the callback again (Notify) when the process has not ended.
  notifies: true,
  canConfirm: (s) => !!(s.clientId && s.clientSecret),
  demo: join(__dirname, 'demo'),
});
