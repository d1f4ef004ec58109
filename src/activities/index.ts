import type { Metrics } from '../platform/metrics';
import type { Provider } from '../providers/provider';
import type { ProviderName } from '../common/types';
import { createFollowUp } from './follow-up';
import { createStepActivities, type StepDeps } from './steps';

export interface ActivityDeps {
  providers: Record<ProviderName, Provider>;
  /** Settings of the built-in post-signing steps; without them those steps fail as not configured. */
  steps?: StepDeps;
  /** Where follow-ups are counted (the worker process's /metrics); optional for tests. */
  metrics?: Pick<Metrics, 'followUps'>;
}

const UNCONFIGURED_STEPS: StepDeps = {
  download: { documentsDir: '.data/documents', fetchers: {} },
  notify: {},
};

/** All of Countersign's activities, with their dependencies injected (tests pass their own). */
export function createActivities(deps: ActivityDeps) {
  return {
    followUp: createFollowUp(deps.providers, deps.metrics),
    ...createStepActivities(deps.steps ?? UNCONFIGURED_STEPS),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/** Names the engine's own activities take; a user's activity may not reuse one. */
export const BUILT_IN_ACTIVITY_NAMES = Object.keys(createActivities({ providers: {} }));
