// When to ask each provider after silence, from what each one does when a callback fails.
// The silence clock restarts with every piece of news; the backoff (FOLLOW_UP_BACKOFF)
// multiplies the wait after each follow-up that learned nothing, up to `maxInterval`.
import type { ProviderName } from '../shared/types';

export interface ProviderFollowUpDefault {
  firstAfter: string;
  maxInterval: string;
}

export const FOLLOW_UP_DEFAULTS: Record<ProviderName, ProviderFollowUpDefault> = {
  // Never retries a callback (docs/providers.md): a missed one is gone, and Notify is cheap.
  signicat: { firstAfter: '15 minutes', maxInterval: '6 hours' },
  // Three attempts within minutes (docs/providers.md); after an hour nothing more is coming.
  evrotrust: { firstAfter: '1 hour', maxInterval: '1 day' },
  // Retries every 30 minutes for 24 hours (docs/providers.md): ask once those are over.
  'portal-de-assinaturas': { firstAfter: '25 hours', maxInterval: '1 day' },
  // Retries for 48-72 hours before dropping the queue (docs/providers.md, docs/providers.md) and asks
  // integrators not to poll; queues have also been parked, so poll daily after that.
  signhost: { firstAfter: '73 hours', maxInterval: '1 day' },
};

/** `{TEMPORAL_TASK_QUEUE}-follow-up-{provider}`: where a provider's follow-up activities run. */
export function followUpTaskQueue(taskQueue: string, provider: ProviderName): string {
  return `${taskQueue}-follow-up-${provider}`;
}
