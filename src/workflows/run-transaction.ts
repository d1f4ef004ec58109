import {
  allHandlersFinished,
  CancellationScope,
  condition,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  proxyActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { SigningDeadline, SigningExternalId, SigningProvider, SigningStatus } from '../common/search-attributes';
import { closingResult, heldChecked, markUnconfirmed } from '../common/transaction-state';
import type { LoopState, TransactionInput, TransactionState } from '../common/types';
import { DEFAULT_OPTIONS } from '../common/engine-defaults';
import { askProvider, type FollowUpActivity } from './ask-provider';
import { durationMs as ms } from '../common/duration';
import { expire } from './expire';
import { runSteps, stepsFor } from './post-steps';
import { nowIso, startRun, type TransactionPolicy, type TransactionRun } from './transaction-run';

export { DEFAULT_OPTIONS };
export type { TransactionPolicy };

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
 * silent, confirm a held final status on its own schedule, expire at the deadline, run the
 * post-signing steps, then stay open a little to absorb late duplicates. Any run hands over
 * to a fresh one (continue-as-new) at its own thresholds, in any phase and even while it
 * waits on the provider, carrying the bounded state and where its loop stood.
 */
export async function runTransaction(input: TransactionInput, policy: TransactionPolicy): Promise<TransactionState> {
  let wake = () => {};
  const run = startRun(input, policy, () => wake());
  return transactionLoop(run, (fn) => (wake = fn));
}

async function transactionLoop(run: TransactionRun, onNews: (fn: () => void) => void): Promise<TransactionState> {
  const { input, state, opts } = run;
  const perProvider = input.options?.providers?.[input.provider];
  const { followUp } = proxyActivities<Activities>({
    ...followUpActivityOptions,
    ...(perProvider?.followUpTaskQueue && { taskQueue: perProvider.followUpTaskQueue }),
  });
  const firstAfter = () => ms(run.followUpPolicy().firstAfter);
  const loop: LoopState = input.loop ?? { phase: 'waiting', wait: firstAfter(), attempt: 0, silenceSince: Date.now() };
  loop.pendingRequest = undefined;
  // News restarts the silence clock without waking the loop: the pending timer fires at
  // its old time and the loop sleeps the remainder, so a busy transaction adds no timer
  // events per callback.
  onNews(() => {
    loop.silenceSince = Date.now();
    loop.wait = firstAfter();
    loop.attempt = 0;
  });

  // A newer worker deployment version is current: hand over so this run's version can retire.
  const mustHandOver = () => run.mustContinueAsNew() || workflowInfo().targetWorkerDeploymentVersionChanged;
  // Without it a run asleep until a deadline months away would hold its old version that long.
  // Unversioned workers have no version to leave: their runs sleep as long as they need.
  const wakeUpMs = () => (workflowInfo().currentDeploymentVersion ? ms(opts.wakeUpInterval) : Infinity);

  const handOver = async (): Promise<never> => {
    await condition(allHandlersFinished);
    // An operator's request that came in while this run handed over is the next run's.
    if (run.followUpRequest.pending) loop.pendingRequest = { mode: run.followUpRequest.mode };
    log.info('continuing as new', { workflowId: state.workflowId, phase: loop.phase, signals: run.signals });
    // A pinned run stays on the worker deployment version it started on; its successor starts
    // on the version current now, so every run moves to new code at its next continue-as-new.
    const continueOnCurrentVersion = makeContinueAsNewFunc<(i: TransactionInput) => Promise<TransactionState>>({
      initialVersioningBehavior: 'AUTO_UPGRADE',
    });
    return continueOnCurrentVersion({
      ...input,
      registration: undefined,
      carried: state,
      loop,
      lateEvents: undefined,
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
  // Callbacks accepted after an earlier run of this transaction closed (folded in at restart).
  if (input.lateEvents?.length) run.apply(input.lateEvents);

  const heldPolicy = { ...DEFAULT_OPTIONS.heldFinal, ...opts.heldFinal };
  const createdMs = Date.parse(state.createdAt);
  const limit = () =>
    state.registered
      ? state.deadline
        ? Date.parse(state.deadline)
        : createdMs + ms(opts.defaultDeadline)
      : createdMs + ms(opts.unregisteredTtl);
  const graceEnd = () => limit() + ms(heldPolicy.grace);
  // A held final is checked only once registered: before that the engine cannot ask.
  const heldCheckAt = () =>
    state.registered && run.policy.followsUp && state.awaitingConfirmation
      ? Date.parse(state.awaitingConfirmation.nextCheckAt ?? state.awaitingConfirmation.receivedAt)
      : Infinity;

  // Listed already: by the starter (a registered start), or by the run this one continues.
  let listedDeadline =
    (input.searchAttributesSet && input.registered && !input.carried) || input.loop ? limit() : undefined;
  while (loop.phase === 'waiting' && !run.settled()) {
    if (state.registered && limit() !== listedDeadline) {
      // Lets operators ask the Web UI what expires this week.
      listedDeadline = limit();
      upsertSearchAttributes([{ key: SigningDeadline, value: new Date(listedDeadline) }]);
    }
    const beforeDeadline = Date.now() < limit();
    const canFollowUp = run.policy.followsUp && state.registered && beforeDeadline;
    const followUpAt = canFollowUp ? loop.silenceSince + loop.wait : Infinity;
    const checkAt = heldCheckAt();
    const endAt = state.status === 'unconfirmed' ? graceEnd() : limit();
    const wakeAt = Math.min(followUpAt, checkAt, endAt);
    const askAt = Math.min(followUpAt, checkAt);
    state.nextFollowUpAt = askAt < endAt ? new Date(askAt).toISOString() : undefined;
    run.refresh();

    const reschedules = run.reschedules;
    // Already due (a registration whose deadline has passed): act now rather than start a
    // timer that is due on arrival.
    const waitMs = wakeAt - Date.now();
    if (waitMs > 0) {
      await condition(
        () => run.settled() || run.followUpRequest.pending || run.reschedules !== reschedules || mustHandOver(),
        Math.min(waitMs, wakeUpMs()),
        {
          summary:
            waitMs > wakeUpMs()
              ? 'wake-up: a newer worker version?'
              : wakeAt === checkAt
                ? 'confirm held final'
                : wakeAt === followUpAt
                  ? 'silence: next follow-up'
                  : state.registered
                    ? 'deadline'
                    : 'waiting for registration',
        },
      );
    }
    if (run.settled()) break;
    if (mustHandOver()) await handOver();
    if (run.reschedules !== reschedules) continue;

    const request = run.followUpRequest;
    const now = Date.now();
    if (!state.registered) {
      if (now >= limit()) {
        log.info('unregistered transaction closed: the application never registered it', {
          workflowId: state.workflowId,
        });
        break;
      }
      continue;
    }
    const confirming = now >= heldCheckAt();
    const silenceDue = canFollowUp && now >= loop.silenceSince + loop.wait;
    // An operator's request is honoured even where the engine would not poll on its own; at
    // the deadline the engine asks one last time before it gives up.
    const lastAsk = run.policy.followsUp && now >= limit();
    if (request.pending || confirming || silenceDue || lastAsk) {
      run.followUpRequest = { pending: false };
      const mode = confirming ? 'poll' : request.mode;
      const outcome = await followUpOnce(run, loop, followUp, mode, confirming);
      if (outcome === 'interrupted') return handOver();
      if (confirming) afterHeldCheck(run, heldPolicy.checks, outcome.failure);
    }
    if (run.settled() || Date.now() < limit()) continue;
    if (state.awaitingConfirmation) {
      // A provider API that fails (or lags) must never turn a held final into `expired`.
      if (state.status !== 'unconfirmed') {
        markUnconfirmed(state, nowIso());
        upsertSearchAttributes([{ key: SigningStatus, value: state.status }]);
        log.warn('deadline passed with a final status still held: unconfirmed', {
          workflowId: state.workflowId,
          held: state.awaitingConfirmation.status,
          lastError: state.awaitingConfirmation.lastError,
        });
      }
      if (Date.now() < graceEnd()) continue;
      log.warn('closing unconfirmed: the provider never confirmed the held final status', {
        workflowId: state.workflowId,
      });
      break;
    }
    expire(state, (event) => run.apply([event]));
    break;
  }

  if (loop.phase === 'waiting') {
    state.nextFollowUpAt = undefined;
    run.refresh();
    loop.phase = state.registered ? 'steps' : 'linger';
  }

  // Late duplicates and trailing activities (some providers keep sending signer activities after
  // an end status) land here instead of being recorded as late callbacks. An operator's retry of
  // failed steps sends the loop back to the steps.
  for (;;) {
    if (loop.phase === 'steps') {
      const outcome = await runSteps(state, stepsFor(state, opts.defaultSteps), run.refresh, () =>
        run.mustContinueAsNew(),
      );
      if (outcome === 'hand-over') await handOver();
      loop.phase = 'linger';
    }
    loop.lingerUntil ??= Date.now() + (state.registered ? ms(opts.lingerAfterFinal) : 0);
    while (Date.now() < loop.lingerUntil && !run.retrySteps) {
      await condition(() => mustHandOver() || run.retrySteps, Math.min(loop.lingerUntil - Date.now(), wakeUpMs()), {
        summary: 'linger for late duplicates',
      });
      if (mustHandOver()) await handOver();
    }
    if (!run.retrySteps) break;
    run.retrySteps = false;
    loop.phase = 'steps';
    loop.lingerUntil = undefined;
  }
  await condition(allHandlersFinished);
  return closingResult(state);
}

/** After a check of a held final that left it held: when the next one is due, and what failed. */
function afterHeldCheck(run: TransactionRun, checks: string[], failed: string | undefined): void {
  const held = run.state.awaitingConfirmation;
  if (!held) return;
  const wait = ms(checks[Math.min(held.checks ?? 0, checks.length - 1)]);
  heldChecked(run.state, new Date(Date.now() + wait).toISOString(), failed);
  log.warn('held final status not confirmed yet', {
    workflowId: run.state.workflowId,
    checks: held.checks,
    nextCheckAt: held.nextCheckAt,
    lastError: failed,
  });
}

/**
 * One follow-up: ask the provider, apply what it said as one batch, adjust the backoff. A
 * provider API that hangs must not hold the run past its hand-over thresholds: when one is
 * reached first, the call is cancelled and the next run asks again.
 */
async function followUpOnce(
  run: TransactionRun,
  loop: LoopState,
  followUp: FollowUpActivity,
  mode: 'poll' | 'notify' | undefined,
  confirming: boolean,
): Promise<'interrupted' | { failure?: string }> {
  const { state } = run;
  loop.attempt++;
  const attempt = loop.attempt;
  const before = run.news;
  const scope = new CancellationScope();
  let result: Awaited<ReturnType<typeof askProvider>> | undefined;
  let failure: Error | undefined;
  const call = scope
    .run(() => askProvider(followUp, state, attempt, loop.lastOutcome, mode, confirming ? 'held-final' : undefined))
    .then(
      (r) => void (result = r),
      (err: unknown) => void (failure = err instanceof Error ? err : new Error(String(err))),
    );
  // Neither a hand-over nor a final status waits on a provider API that hangs.
  await condition(() => result !== undefined || failure !== undefined || run.mustContinueAsNew() || run.settled());
  if (result === undefined && failure === undefined) {
    scope.cancel();
    await call;
  }
  // An answer that came in the same activation as the threshold still counts.
  if (failure !== undefined && !isCancellation(failure)) throw failure;
  if (result === undefined && run.settled()) return {};
  if (result === undefined) {
    loop.attempt--;
    // The request is the next run's to make (an operator's, a check of a held final, or the silence's).
    loop.pendingRequest = { mode };
    log.info('follow-up interrupted to continue as new; the next run asks again', { workflowId: state.workflowId });
    return 'interrupted';
  }
  loop.lastOutcome = result.outcome;
  if (result.events.length > 0) run.apply(result.events);
  state.lastFollowUp = { at: nowIso(), outcome: result.outcome };
  if (run.news === before && !confirming) {
    const fu = run.followUpPolicy();
    loop.wait = Math.min(loop.wait * fu.backoff, ms(fu.maxInterval));
    loop.silenceSince = Date.now();
  }
  return result.failed ? { failure: result.outcome } : {};
}
