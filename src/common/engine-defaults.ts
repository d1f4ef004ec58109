// The engine's defaults, written once: the workflows fall back on them for what a transaction
// does not set, and the configuration's variables default to them.
import type { EngineOptions, FollowUpPolicy, HeldFinalPolicy } from './types';

export const DEFAULT_OPTIONS = {
  unregisteredTtl: '30 days',
  lingerAfterFinal: '1 hour',
  defaultDeadline: '90 days',
  wakeUpInterval: '1 day',
  followUp: { firstAfter: '6 hours', backoff: 2, maxInterval: '1 day' } as Required<FollowUpPolicy>,
  // A held final is checked at once, then soon (a provider's API that failed for a moment is
  // usually back within minutes), then hourly; past the deadline it keeps checking for the
  // grace period as an `unconfirmed` transaction before it closes.
  heldFinal: {
    checks: ['30 seconds', '2 minutes', '10 minutes', '1 hour'],
    grace: '30 days',
  } as Required<HeldFinalPolicy>,
} satisfies EngineOptions;
