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

export type StepsOutcome = 'done' | { handOverAt: number };

/**
 * Runs the post-signing steps in order from `from`, each as its own activity with its own
 * retry policy. A failed step is recorded in the state (visible in the `state` query and the
 * Web UI) and does not stop the next one: archiving must not wait on a notification. When the
 * run must hand over (`mustHandOver`), the running step is cancelled and the index to resume
 * from is returned; the next run runs that step again (steps are retried activities already,
 * so they must be idempotent).
 */
export async function runSteps(
  state: TransactionState,
  specs: StepSpec[],
  from: number,
  onChange: () => void,
  mustHandOver: () => boolean,
): Promise<StepsOutcome> {
  state.steps ??= [];
  for (let i = from; i < specs.length; i++) {
    const { name } = specOf(specs[i]);
    if (mustHandOver()) return { handOverAt: i };
    // A run that carries an earlier run's state (a late callback applied by hand) does not
    // redo what already succeeded.
    if (from === 0 && state.steps.some((r) => r.name === name && r.status === 'completed')) continue;
    let record = state.steps.find((r) => r.name === name && r.status === 'running');
    if (!record) {
      record = { name, status: 'running', at: nowIso() };
      state.steps.push(record);
    }
    onChange();
    const activities = proxyActivities<Record<string, StepActivity>>(activityOptions(specs[i]));
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
    if (!settled) {
      scope.cancel();
      await attempt;
      log.info('post-signing step interrupted to continue as new; the next run repeats it', {
        workflowId: state.workflowId,
        step: name,
      });
      return { handOverAt: i };
    }
    const outcome = await attempt;
    finish(state, record, outcome.ok ? { result: outcome.result } : { err: outcome.err });
    onChange();
  }
  return 'done';
}

function finish(state: TransactionState, record: StepRecord, outcome: { result?: unknown; err?: unknown }): void {
  if ('err' in outcome && !isCancellation(outcome.err)) {
    record.status = 'failed';
    record.error = failureMessage(outcome.err);
    log.warn('post-signing step failed', { workflowId: state.workflowId, step: record.name, error: record.error });
  } else {
    record.status = 'completed';
    if (outcome.result !== undefined) record.result = outcome.result;
  }
  record.at = nowIso();
}

/** The step runner of runs started before the bounded-transaction change; see legacy-loop.ts. */
export async function runStepsLegacy(state: TransactionState, specs: StepSpec[], onChange: () => void): Promise<void> {
  state.steps ??= [];
  for (const spec of specs) {
    const { name, maximumAttempts = 10, timeout = '5 minutes' } = specOf(spec);
    if (state.steps.some((r) => r.name === name && r.status === 'completed')) continue;
    const record: StepRecord = { name, status: 'running', at: nowIso() };
    state.steps.push(record);
    onChange();
    const activities = proxyActivities<Record<string, StepActivity>>({
      startToCloseTimeout: timeout as `${number} minutes`,
      retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts },
      summary: `post-signing step ${name}`,
    });
    try {
      finish(state, record, { result: await activities[name]({ step: name, transaction: stepProjection(state) }) });
    } catch (err) {
      finish(state, record, { err });
    }
    onChange();
  }
}
