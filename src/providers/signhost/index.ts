// Signhost: signing transactions; postbacks carry a SHA-1 checksum (docs/providers/signhost.md).
import { join } from 'node:path';
import { z } from 'zod';
import { defineProvider } from '../module';
import { createSignhostFollowUp } from './api';
import { createSignhost } from './callback';
import { signhostEnv, signhostSettings, type SignhostSettings } from './config';
import { signhostDocuments } from './document';
import { signhostTransactionSchema } from './transaction';

export * from './callback';
export * from './transaction';
export { createSignhostFollowUp } from './api';
export type { SignhostSettings } from './config';

export const signhost = defineProvider<SignhostSettings>({
  name: 'signhost',
  label: 'Signhost',
  envPrefix: 'SIGNHOST',
  kinds: ['signing'],
  env: signhostEnv,
  settings: signhostSettings,
  accountVariables: [
    'SIGNHOST_SHARED_SECRET',
    'SIGNHOST_SHARED_SECRET_PREVIOUS',
    'SIGNHOST_POSTBACK_AUTHORIZATION',
    'SIGNHOST_POSTBACK_AUTHORIZATION_PREVIOUS',
    'SIGNHOST_APP_KEY',
    'SIGNHOST_API_KEY',
  ],
  callbackGuards: ['SIGNHOST_SHARED_SECRET', 'SIGNHOST_POSTBACK_AUTHORIZATION', 'SIGNHOST_ALLOWED_IPS'],
  // Retries for 48-72 hours before dropping the queue, and asks integrators not to poll;
  // queues have also been parked, so poll daily after that.
  followUpDefaults: { firstAfter: '73 hours', maxInterval: '1 day' },
  callbackSchema: signhostTransactionSchema.extend({ Checksum: z.string().nullish() }),
  receiver: createSignhost,
  followUp: createSignhostFollowUp,
  canConfirm: (s) => !!(s.appKey && s.apiKey),
  documents: (settings) => (tx, limits, spool) => signhostDocuments(tx, settings, limits, spool),
  demo: join(__dirname, 'demo'),
});
