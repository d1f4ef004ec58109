import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { SigningDeadline, SigningExternalId, SigningProvider, SigningStatus } from '../common/search-attributes';
import { stepProjection } from '../common/transaction-state';
import type { LoopState, TransactionInput, TransactionState } from '../common/types';
import { DEFAULT_OPTIONS } from './defaults';
import { askProvider, type FollowUpActivity } from './ask-provider';
import { durationMs as ms } from '../common/duration';
import { expire } from './expire';
import { legacyLoop } from './legacy-loop';
import { runSteps, stepsFor } from './post-steps';
import { nowIso, startRun, type TransactionPolicy, type TransactionRun } from './transaction-run';

export { DEFAULT_OPTIONS };
export type { TransactionPolicy };

/** Marks runs of the bounded loop; runs without it replay the legacy loop. */
export const BOUNDED_RUNS = 'bounded-runs';

const followUpActivityOptions = {
  startToCloseTimeout: '1 minute',
  // A missing or backed-up follow-up queue must never hold the deadline: past this the
  // follow-up counts as failed and the loop goes on.
  scheduleToCloseTimeout: '10 minutes',
  // The poll loop is the workflow's; the activity's retries only cover transient faults.
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 5 },
} as const;

/**
 * The life of one transaction: apply every callback once, ask the provider when it falls
 * silent, expire at the deadline, run the post-signing steps, then stay open a little to
 * absorb late duplicates. Any run hands over to a fresh one (continue-as-new) at its own
 * thresholds, in any phase, carrying the bounded state and where its loop stood.
 */
export async function runTransaction(input: TransactionInput, policy: TransactionPolicy): Promise<TransactionState> {
  let wake = () => {};
  const run = startRun(input, policy, () => wake());
  if (!patched(BOUNDED_RUNS)) return legacyLoop(run);
  return boundedLoop(run, (fn) => (wake = fn));
}

async function boundedLoop(run: TransactionRun, onNews: (fn: () => void) => void): Promise<TransactionState> {
  const { input, state, opts } = run;
  const perProvider = input.options?.providers?.[input.provider];
  const { followUp } = proxyActivities<Activities>({
    ...followUpActivityOptions,
    ...(perProvider?.followUpTaskQueue && { taskQueue: perProvider.followUpTaskQueue }),
  });
  const firstAfter = () => ms(run.followUpPolicy().firstAfter);
  const loop: LoopState = input.loop ?? { phase: 'waiting', wait: firstAfter(), attempt: 0, silenceSince: Date.now() };
  // News restarts the silence clock without waking the loop: the pending timer fires at
  // its old time and the loop sleeps the remainder, so a busy transaction adds no timer
  // events per callback.
  onNews(() => {
    loop.silenceSince = Date.now();
    loop.wait = firstAfter();
    loop.attempt = 0;
  });

  const handOver = async (): Promise<never> => {
    await condition(allHandlersFinished);
    log.info('continuing as new', { workflowId: state.workflowId, phase: loop.phase, signals: run.signals });
    return continueAsNew<(i: TransactionInput) => Promise<TransactionState>>({
      ...input,
      registration: undefined,
      carried: state,
      loop,
      searchAttributesSet: true,
    });
  };

  if (!input.carried && !input.searchAttributesSet) {
    upsertSearchAttributes([
      { key: SigningProvider, value: state.provider },
      { key: SigningExternalId, value: state.externalId },
      { key: SigningStatus, value: state.status },
    ]);
  }

  const createdMs = Date.parse(state.createdAt);
  const limit = () =>
    state.registered
      ? state.deadline
        ? Date.parse(state.deadline)
        : createdMs + ms(opts.defaultDeadline)
      : createdMs + ms(opts.unregisteredTtl);

  // A run carried over (or restarted) with a held final status asks about it again at once.
  run.askToConfirm();

  // Listed already: by the starter (a registered start), or by the bounded run this one continues.
  let listedDeadline =
    (input.searchAttributesSet && input.registered && !input.carried) || input.loop ? limit() : undefined;
  while (loop.phase === 'waiting' && !run.settled()) {
    if (state.registered && limit() !== listedDeadline) {
      // Lets operators ask the Web UI what expires this week.
      listedDeadline = limit();
      upsertSearchAttributes([{ key: SigningDeadline, value: new Date(listedDeadline) }]);
    }
    const canFollowUp = run.policy.followsUp && state.registered;
    const followUpAt = canFollowUp ? loop.silenceSince + loop.wait : Infinity;
    const wakeAt = Math.min(followUpAt, limit());
    state.nextFollowUpAt = canFollowUp && followUpAt < limit() ? new Date(followUpAt).toISOString() : undefined;
    run.refresh();

    const reschedules = run.reschedules;
    // Already due (a registration whose deadline has passed): act now rather than start a
    // timer that is due on arrival.
    const waitMs = wakeAt - Date.now();
    if (waitMs > 0) {
      await condition(
        () =>
          run.settled() || run.followUpRequest.pending || run.reschedules !== reschedules || run.mustContinueAsNew(),
        waitMs,
        {
          summary:
            followUpAt <= limit()
              ? 'silence: next follow-up'
              : state.registered
                ? 'deadline'
                : 'waiting for registration',
        },
      );
    }
    if (run.settled()) break;
    if (run.mustContinueAsNew()) await handOver();
    if (run.reschedules !== reschedules) continue;

    const request = run.followUpRequest;
    run.followUpRequest = { pending: false };
    const now = Date.now();
    const deadlinePassed = now >= limit();
    if (!state.registered) {
      if (deadlinePassed) {
        log.info('unregistered transaction closed: the application never registered it', {
          workflowId: state.workflowId,
        });
        break;
      }
      continue;
    }
    // An operator's request is honoured even where the engine would not poll on its own; at
    // the deadline the engine asks one last time before it gives up.
    if (request.pending || (canFollowUp && (now >= loop.silenceSince + loop.wait || deadlinePassed))) {
      await followUpOnce(run, loop, followUp, request.mode);
    }
    if (deadlinePassed && !run.settled()) {
      expire(state, (event) => run.apply([event]));
      break;
    }
  }

  if (loop.phase === 'waiting') {
    state.nextFollowUpAt = undefined;
    run.refresh();
    loop.phase = state.registered ? 'steps' : 'linger';
    loop.stepIndex = 0;
  }

  if (loop.phase === 'steps') {
    const outcome = await runSteps(state, stepsFor(state, opts.defaultSteps), loop.stepIndex ?? 0, run.refresh, () =>
      run.mustContinueAsNew(),
    );
    if (outcome !== 'done') {
      loop.stepIndex = outcome.handOverAt;
      await handOver();
    }
    loop.phase = 'linger';
  }

  // Late duplicates and trailing activities (Signhost keeps sending signer activities after an
  // end status) land here instead of being recorded as late callbacks.
  loop.lingerUntil ??= Date.now() + (state.registered ? ms(opts.lingerAfterFinal) : 0);
  while (Date.now() < loop.lingerUntil) {
    const handOverDue = await condition(() => run.mustContinueAsNew(), loop.lingerUntil - Date.now(), {
      summary: 'linger for late duplicates',
    });
    if (handOverDue) await handOver();
  }
  await condition(allHandlersFinished);
  return stepProjection(state);
}

/** One follow-up: ask the provider, apply what it said as one batch, adjust the backoff. */
async function followUpOnce(
  run: TransactionRun,
  loop: LoopState,
  followUp: FollowUpActivity,
  mode?: 'poll' | 'notify',
): Promise<void> {
  const { state } = run;
  loop.attempt++;
  const attempt = loop.attempt;
  const before = run.news;
  const result = await askProvider(followUp, state, attempt, loop.lastOutcome, mode);
  loop.lastOutcome = result.outcome;
  if (result.events.length > 0) run.apply(result.events);
  state.lastFollowUp = { at: nowIso(), outcome: result.outcome };
  if (run.news === before) {
    const fu = run.followUpPolicy();
    loop.wait = Math.min(loop.wait * fu.backoff, ms(fu.maxInterval));
    loop.silenceSince = Date.now();
  }
}
