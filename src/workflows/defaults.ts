import type { EngineOptions, FollowUpPolicy } from '../common/types';

export const DEFAULT_OPTIONS = {
  unregisteredTtl: '30 days',
  lingerAfterFinal: '1 hour',
  defaultDeadline: '90 days',
  followUp: { firstAfter: '6 hours', backoff: 2, maxInterval: '1 day' } as Required<FollowUpPolicy>,
} satisfies EngineOptions;
