import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyActivities,
  type ActivityOptions,
} from '@temporalio/workflow';
import { stepProjection } from '../common/transaction-state';
import type { EngineOptions, StepInput, StepPlan, StepRecord, StepSpec, TransactionState } from '../common/types';
import { nowIso } from './transaction-run';

type StepActivity = (input: StepInput) => Promise<unknown>;

/** The steps this ending calls for: the registration's own plan, else the provider's, else the default. */
export function stepsFor(state: TransactionState, defaults: EngineOptions['defaultSteps']): StepSpec[] {
  const key: keyof StepPlan | undefined =
    state.status === 'signed'
      ? 'onSigned'
      : state.status === 'rejected'
        ? 'onRejected'
        : state.status === 'expired'
          ? 'onExpired'
          : undefined;
  if (!key) return [];
  const plan = state.stepPlan ?? defaults?.[state.provider] ?? defaults?.default;
  return plan?.[key] ?? [];
}

function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type) return `${cause.type}: ${cause.message}`;
  return cause instanceof Error ? cause.message : String(cause);
}

const specOf = (spec: StepSpec) => (typeof spec === 'string' ? { name: spec } : spec);

/**
 * How long a step keeps trying when its registration says nothing. An application that is
 * down for an hour (or a weekend) must still be told: notifications retry for a week.
 */
function activityOptions(spec: StepSpec): ActivityOptions {
  const { name, maximumAttempts, timeout = '5 minutes' } = specOf(spec);
  const notify = name === 'notifyApplication';
  return {
    startToCloseTimeout: timeout as `${number} minutes`,
    ...(notify && maximumAttempts === undefined && { scheduleToCloseTimeout: '7 days' }),
    // Downloads stream to disk and heartbeat as bytes arrive: a stalled transfer is retried
    // long before its attempt's own timeout (longer than one request's 60 s limit).
    ...(name === 'downloadSignedDocument' && { heartbeatTimeout: '2 minutes' }),
    retry: {
      initialInterval: '5 seconds',
      backoffCoefficient: 2,
      maximumInterval: notify ? '1 hour' : '10 minutes',
      // Unlimited for notifications, bounded by the schedule-to-close timeout above.
      maximumAttempts: maximumAttempts ?? (notify ? Number.POSITIVE_INFINITY : 10),
      // A step the worker does not know will not appear by retrying: fail at once, visibly.
      nonRetryableErrorTypes: ['NotFoundError'],
    },
    summary: `post-signing step ${name}`,
  };
}

export type StepsOutcome = 'done' | 'hand-over';

/**
 * Runs the post-signing steps in order, each as its own activity with its own retry policy.
 * A step is known by its name: one that completed or failed for good (in this run or one it
 * continues) is not run again, so a run resumes at the right step even if the plan changed. A
 * failed step is recorded in the state (the `state` query, the Web UI, CountersignAttention)
 * and does not stop the next one: archiving must not wait on a notification. When the run
 * must hand over (`mustHandOver`), the running step is cancelled; the next run runs it again
 * (steps are retried activities already, so they must be idempotent).
 */
export async function runSteps(
  state: TransactionState,
  specs: StepSpec[],
  onChange: () => void,
  mustHandOver: () => boolean,
): Promise<StepsOutcome> {
  state.steps ??= [];
  for (const spec of specs) {
    const { name } = specOf(spec);
    if (state.steps.some((r) => r.name === name && r.status !== 'running')) continue;
    if (mustHandOver()) return 'hand-over';
    let record = state.steps.find((r) => r.name === name);
    if (!record) {
      record = { name, status: 'running', at: nowIso() };
      state.steps.push(record);
    }
    onChange();
    const activities = proxyActivities<Record<string, StepActivity>>(activityOptions(spec));
    const scope = new CancellationScope();
    let settled = false;
    const attempt = scope
      .run(() => activities[name]({ step: name, transaction: stepProjection(state) }))
      .then(
        (result) => ({ ok: true as const, result }),
        (err: unknown) => ({ ok: false as const, err }),
      )
      .finally(() => {
        settled = true;
      });
    await condition(() => settled || mustHandOver());
    // The step may have finished in the very activation that reached the threshold (its
    // result is what pushed the history over it): then it counts, and is not run again.
    if (!settled) scope.cancel();
    const outcome = await attempt;
    if (!outcome.ok && isCancellation(outcome.err)) {
      log.info('post-signing step interrupted to continue as new; the next run repeats it', {
        workflowId: state.workflowId,
        step: name,
      });
      return 'hand-over';
    }
    finish(state, record, outcome.ok ? { result: outcome.result } : { err: outcome.err });
    onChange();
  }
  return 'done';
}

/**
 * A step's result is kept in the state, which every later run carries: past this size it is
 * refused (the step counts as failed, naming the bound) so one step cannot make a transaction
 * too large to hand over. Activities keep to it too (activities/steps/result-size.ts), so an
 * oversized result never reaches the history either.
 */
export const STEP_RESULT_MAX_BYTES = 8 * 1024;

function finish(state: TransactionState, record: StepRecord, outcome: { result?: unknown; err?: unknown }): void {
  const size = 'err' in outcome ? 0 : (JSON.stringify(outcome.result) ?? '').length;
  if ('err' in outcome && !isCancellation(outcome.err)) {
    record.status = 'failed';
    record.error = failureMessage(outcome.err);
  } else if (size > STEP_RESULT_MAX_BYTES) {
    record.status = 'failed';
    record.error = `StepResultTooLarge: step ${record.name} returned ${size} bytes of JSON, more than ${STEP_RESULT_MAX_BYTES}: return a reference (a path, an id), not the data`;
  } else {
    record.status = 'completed';
    if (outcome.result !== undefined) record.result = outcome.result;
  }
  if (record.status === 'failed') {
    // Failed for good: its retry policy is spent. Someone must look (countersign list --attention step-failed).
    log.error('post-signing step failed for good', {
      workflowId: state.workflowId,
      step: record.name,
      error: record.error,
    });
  }
  record.at = nowIso();
}
