import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  allHandlersFinished,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  log,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { Activities } from '../activities';
import { eventSignals, followUpNowSignal, registerUpdate, stateQuery } from '../shared/messages';
import { SigningExternalId, SigningProvider, SigningStatus } from '../shared/search-attributes';
import { applyEvent, newState, register } from '../shared/transaction-state';
import type { EngineOptions, ProviderEvent, TransactionInput, TransactionState } from '../shared/types';
import { EVENT_TYPES } from '../shared/types';

export const DEFAULT_OPTIONS: Required<Omit<EngineOptions, 'followUp' | 'providers'>> & { followUp: Required<NonNullable<EngineOptions['followUp']>> } = {
  unregisteredTtl: '30 days',
  lingerAfterFinal: '1 hour',
  defaultDeadline: '90 days',
  followUp: { firstAfter: '6 hours', backoff: 2, maxInterval: '1 day' },
};

const followUpActivityOptions = {
  startToCloseTimeout: '1 minute',
  // The poll loop is the workflow's; the activity's retries only cover transient faults.
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 5 },
} as const;

const nowIso = () => new Date().toISOString();
/** Durations arrive as config text ('6 hours'); validated by the config and API schemas. */
const ms = (d: string) => msToNumber(d as Duration);

export interface TransactionPolicy {
  /** The transaction needs nothing more from the provider. */
  settled(state: TransactionState): boolean;
  /** Whether the engine may ask the provider when it stays silent. */
  followsUp: boolean;
}

/**
 * The life of one transaction: apply every callback once, ask the provider when it falls
 * silent, expire at the deadline, then stay open a little to absorb late duplicates.
 */
export async function runTransaction(input: TransactionInput, policy: TransactionPolicy): Promise<TransactionState> {
  const state = input.carried ?? newState(input, nowIso());
  const perProvider = input.options?.providers?.[input.provider];
  // Precedence: the transaction's own policy, its provider's, the engine's, the built-in one.
  const followUpPolicy = () => ({ ...DEFAULT_OPTIONS.followUp, ...input.options?.followUp, ...perProvider?.followUp, ...state.followUp });
  const opts = { ...DEFAULT_OPTIONS, ...input.options };
  // A task queue per provider lets the server rate-limit each provider's follow-ups.
  const { followUp } = proxyActivities<Activities>({
    ...followUpActivityOptions,
    ...(perProvider?.followUpTaskQueue && { taskQueue: perProvider.followUpTaskQueue }),
  });
  let news = 0;
  let followUpRequested = false;

  const publishStatus = () => upsertSearchAttributes([{ key: SigningStatus, value: state.status }]);
  const onEvent = (event: ProviderEvent) => {
    const result = applyEvent(state, event, nowIso());
    if (result === 'duplicate') return;
    news++;
    if (result === 'status-changed') publishStatus();
  };

  for (const type of EVENT_TYPES) setHandler(eventSignals[type], onEvent);
  setHandler(stateQuery, () => state);
  setHandler(followUpNowSignal, () => {
    followUpRequested = true;
  });
  setHandler(registerUpdate, (reg) => {
    const result = register(state, reg, nowIso());
    if (result.newlyRegistered) {
      news++;
      publishStatus();
    }
    return result;
  });

  if (!input.carried) {
    upsertSearchAttributes([
      { key: SigningProvider, value: state.provider },
      { key: SigningExternalId, value: state.externalId },
      { key: SigningStatus, value: state.status },
    ]);
  }

  const firstAfter = () => ms(followUpPolicy().firstAfter);
  let wait = firstAfter();
  let attempt = 0;
  let lastOutcome: string | undefined;
  const createdMs = Date.parse(state.createdAt);

  const deadlineMs = () =>
    state.deadline ? Date.parse(state.deadline) : createdMs + ms(opts.defaultDeadline);

  while (!policy.settled(state)) {
    const now = Date.now();
    const limit = state.registered ? deadlineMs() : createdMs + ms(opts.unregisteredTtl);
    const canFollowUp = policy.followsUp && state.registered;
    const timeout = Math.max(0, Math.min(canFollowUp ? wait : Infinity, limit - now));
    state.nextFollowUpAt = canFollowUp && now + wait < limit ? new Date(now + wait).toISOString() : undefined;

    const seen = news;
    const woke = await condition(() => news !== seen || followUpRequested || policy.settled(state), timeout);
    if (policy.settled(state)) break;

    if (woke && !followUpRequested) {
      // News restarts the silence clock.
      wait = firstAfter();
      attempt = 0;
    } else {
      const deadlinePassed = Date.now() >= limit;
      if (!state.registered) {
        if (deadlinePassed) {
          log.info('unregistered transaction closed: the application never registered it', { workflowId: state.workflowId });
          break;
        }
      } else {
        if (canFollowUp || followUpRequested) {
          followUpRequested = false;
          attempt++;
          const before = news;
          let result: { events: ProviderEvent[]; outcome: string };
          try {
            result = await followUp({
              ref: { provider: state.provider, kind: state.kind, externalId: state.externalId },
              workflowId: state.workflowId,
              dossierId: state.dossierId,
              attempt,
              previousOutcome: lastOutcome,
            });
          } catch (err) {
            // A provider that refuses our credentials or stays down must not end the
            // transaction: keep waiting for callbacks and ask again later.
            if (!(err instanceof ActivityFailure)) throw err;
            const kind = err.cause instanceof ApplicationFailure && err.cause.type ? err.cause.type : (err.cause?.name ?? 'ActivityFailure');
            result = { events: [], outcome: `follow-up failed: ${kind}: ${err.cause?.message ?? err.message}` };
          }
          lastOutcome = result.outcome;
          for (const event of result.events) onEvent(event);
          state.lastFollowUp = { at: nowIso(), outcome: result.outcome };
          const fu = followUpPolicy();
          wait = news === before ? Math.min(wait * fu.backoff, ms(fu.maxInterval)) : firstAfter();
        }
        if (deadlinePassed && !policy.settled(state)) {
          expire(state, onEvent);
          break;
        }
      }
    }

    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<(i: TransactionInput) => Promise<TransactionState>>({ ...input, carried: state });
    }
  }

  state.nextFollowUpAt = undefined;
  // Late duplicates and trailing activities (Signhost keeps sending signer activities after an
  // end status) land here instead of being recorded as late callbacks.
  await condition(() => false, ms(opts.lingerAfterFinal));
  await condition(allHandlersFinished);
  return state;
}

function expire(state: TransactionState, onEvent: (e: ProviderEvent) => void): void {
  const at = nowIso();
  if (state.kind === 'signing') {
    state.outcomeReason = `deadline ${state.deadline ?? '(default)'} passed with no final status from ${state.provider}`;
    onEvent({ key: 'engine:deadline', type: 'expired', source: 'application', receivedAt: at, status: 'expired', providerStatus: 'deadline', reason: state.outcomeReason });
  } else {
    state.outcomeReason = `deadline passed: no further certificate after ${state.status}`;
  }
}

