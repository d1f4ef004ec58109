// The loop of runs started before the bounded-transaction change (no `bounded-runs` patch
// marker in their history). It issues exactly the commands it always did, so those runs
// replay; at their next continue-as-new they move to today's loop. Remove it once no run
// started before that change is open (see docs/upgrading.md).
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { SigningExternalId, SigningProvider, SigningStatus } from '../common/search-attributes';
import { stepProjection } from '../common/transaction-state';
import type { ProviderEvent, TransactionInput, TransactionState } from '../common/types';
import { askProvider } from './ask-provider';
import { durationMs as ms } from '../common/duration';
import { expire } from './expire';
import { runStepsLegacy, stepsFor } from './post-steps';
import { nowIso, type TransactionRun } from './transaction-run';

const LEGACY_EARLY_HAND_OVER = 'legacy-early-hand-over';

const followUpActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 5 },
} as const;

export async function legacyLoop(run: TransactionRun): Promise<TransactionState> {
  const { input, state, policy, opts } = run;
  const perProvider = input.options?.providers?.[input.provider];
  const { followUp } = proxyActivities<Activities>({
    ...followUpActivityOptions,
    ...(perProvider?.followUpTaskQueue && { taskQueue: perProvider.followUpTaskQueue }),
  });
  const onEvent = (event: ProviderEvent) => run.apply([event]);

  if (!input.carried && !input.searchAttributesSet) {
    upsertSearchAttributes([
      { key: SigningProvider, value: state.provider },
      { key: SigningExternalId, value: state.externalId },
      { key: SigningStatus, value: state.status },
    ]);
  }

  const firstAfter = () => ms(run.followUpPolicy().firstAfter);
  let wait = firstAfter();
  let attempt = 0;
  let lastOutcome: string | undefined;
  const createdMs = Date.parse(state.createdAt);
  const deadlineMs = () => (state.deadline ? Date.parse(state.deadline) : createdMs + ms(opts.defaultDeadline));

  run.refresh();
  while (!policy.settled(state)) {
    const now = Date.now();
    const limit = state.registered ? deadlineMs() : createdMs + ms(opts.unregisteredTtl);
    const canFollowUp = policy.followsUp && state.registered;
    const timeout = Math.max(0, Math.min(canFollowUp ? wait : Infinity, limit - now));
    const followUpDue = canFollowUp && now + wait < limit;
    state.nextFollowUpAt = followUpDue ? new Date(now + wait).toISOString() : undefined;
    run.refresh();

    const seen = run.news;
    const woke = await condition(
      () => run.news !== seen || run.followUpRequest.pending || policy.settled(state),
      timeout,
      {
        summary: followUpDue ? 'silence: next follow-up' : state.registered ? 'deadline' : 'waiting for registration',
      },
    );
    if (policy.settled(state)) break;

    if (woke && !run.followUpRequest.pending) {
      wait = firstAfter();
      attempt = 0;
    } else {
      const requested = run.followUpRequest.pending;
      const requestedMode = run.followUpRequest.mode;
      run.followUpRequest = { pending: false };
      const deadlinePassed = Date.now() >= limit;
      if (!state.registered) {
        if (deadlinePassed) {
          log.info('unregistered transaction closed: the application never registered it', {
            workflowId: state.workflowId,
          });
          break;
        }
      } else {
        if (canFollowUp || requested) {
          attempt++;
          const before = run.news;
          const result = await askProvider(followUp, state, attempt, lastOutcome, requestedMode);
          lastOutcome = result.outcome;
          for (const event of result.events) onEvent(event);
          state.lastFollowUp = { at: nowIso(), outcome: result.outcome };
          const fu = run.followUpPolicy();
          wait = run.news === before ? Math.min(wait * fu.backoff, ms(fu.maxInterval)) : firstAfter();
        }
        if (deadlinePassed && !policy.settled(state)) {
          expire(state, onEvent);
          break;
        }
      }
    }

    // Past the point a run already replayed, the thresholds apply to old runs too.
    if (workflowInfo().continueAsNewSuggested || (run.mustContinueAsNew() && patched(LEGACY_EARLY_HAND_OVER))) {
      await condition(allHandlersFinished);
      await continueAsNew<(i: TransactionInput) => Promise<TransactionState>>({ ...input, carried: state });
    }
  }

  state.nextFollowUpAt = undefined;
  run.refresh();
  if (state.registered) await runStepsLegacy(state, stepsFor(state, opts.defaultSteps), run.refresh);
  await condition(() => false, ms(opts.lingerAfterFinal), { summary: 'linger for late duplicates' });
  await condition(allHandlersFinished);
  return stepProjection(state);
}
