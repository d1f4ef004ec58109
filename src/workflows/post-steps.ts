import { ActivityFailure, ApplicationFailure, proxyActivities, log } from '@temporalio/workflow';
import type { EngineOptions, StepInput, StepPlan, StepRecord, StepSpec, TransactionState } from '../shared/types';

type StepActivity = (input: StepInput) => Promise<unknown>;

/** The steps this ending calls for: the registration's own plan, else the provider's, else the default. */
export function stepsFor(state: TransactionState, defaults: EngineOptions['defaultSteps']): StepSpec[] {
  const key: keyof StepPlan | undefined =
    state.status === 'signed' ? 'onSigned' : state.status === 'rejected' ? 'onRejected' : state.status === 'expired' ? 'onExpired' : undefined;
  if (!key) return [];
  const plan = state.stepPlan ?? defaults?.[state.provider] ?? defaults?.default;
  return plan?.[key] ?? [];
}

function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type) return `${cause.type}: ${cause.message}`;
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * Runs the post-signing steps in order, each as its own activity with its own retry policy.
 * A failed step is recorded in the state (visible in the `state` query and the Web UI) and
 * does not stop the next one: archiving must not wait on a notification.
 */
export async function runSteps(state: TransactionState, specs: StepSpec[], onChange: () => void): Promise<void> {
  state.steps ??= [];
  for (const spec of specs) {
    const { name, maximumAttempts = 10, timeout = '5 minutes' } = typeof spec === 'string' ? { name: spec } : spec;
    // A run that carries an earlier run's state (a late callback applied by hand) does not
    // redo what already succeeded.
    if (state.steps.some((r) => r.name === name && r.status === 'completed')) continue;
    const record: StepRecord = { name, status: 'running', at: new Date().toISOString() };
    state.steps.push(record);
    onChange();
    const activities = proxyActivities<Record<string, StepActivity>>({
      startToCloseTimeout: timeout as `${number} minutes`,
      retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts },
      summary: `post-signing step ${name}`,
    });
    try {
      const result = await activities[name]({ step: name, transaction: state });
      record.status = 'completed';
      if (result !== undefined) record.result = result;
    } catch (err) {
      record.status = 'failed';
      record.error = failureMessage(err);
      log.warn('post-signing step failed', { workflowId: state.workflowId, step: name, error: record.error });
    }
    record.at = new Date().toISOString();
    onChange();
  }
}
