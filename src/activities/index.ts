import type { Metrics } from '../metrics';
import type { Provider } from '../providers/provider';
import type { ProviderName } from '../shared/types';
import { createFollowUp } from './follow-up';

export interface ActivityDeps {
  providers: Partial<Record<ProviderName, Provider>>;
  /** Where follow-ups are counted (the worker process's /metrics); optional for tests. */
  metrics?: Pick<Metrics, 'followUps'>;
}

/** All of Countersign's activities, with their dependencies injected (tests pass their own). */
export function createActivities(deps: ActivityDeps) {
  return {
    followUp: createFollowUp(deps.providers, deps.metrics),
  };
}

export type Activities = ReturnType<typeof createActivities>;
