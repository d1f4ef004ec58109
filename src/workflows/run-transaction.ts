import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { Activities } from '../activities';
import { eventSignals, followUpNowSignal, registerUpdate, stateQuery } from '../shared/messages';
import { SigningExternalId, SigningProvider, SigningStatus } from '../shared/search-attributes';
import { applyEvent, newState, register } from '../shared/transaction-state';
import type { EngineOptions, FollowUpNow, FollowUpPolicy, ProviderEvent, TransactionInput, TransactionState } from '../shared/types';
import { EVENT_TYPES } from '../shared/types';
import { runSteps, stepsFor } from './post-steps';

export const DEFAULT_OPTIONS = {
  unregisteredTtl: '30 days',
  lingerAfterFinal: '1 hour',
  defaultDeadline: '90 days',
  followUp: { firstAfter: '6 hours', backoff: 2, maxInterval: '1 day' } as Required<FollowUpPolicy>,
} satisfies EngineOptions;

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

/** One line for the Web UI's "current details": what the transaction is waiting for. */
function describe(state: TransactionState): string {
  const lines = [`**${state.status}** · ${state.provider} ${state.kind} \`${state.externalId}\``];
  if (state.reference) lines.push(`reference: ${state.reference}`);
  if (state.status === 'unregistered') lines.push('waiting for the application to register it');
  if (state.nextFollowUpAt) lines.push(`next follow-up: ${state.nextFollowUpAt}`);
  if (state.lastFollowUp) lines.push(`last follow-up: ${state.lastFollowUp.at} (${state.lastFollowUp.outcome})`);
  if (state.outcomeReason) lines.push(state.outcomeReason);
  for (const step of state.steps ?? []) lines.push(`step ${step.name}: ${step.status}${step.error ? ` (${step.error})` : ''}`);
  return lines.join('\n');
}

/**
 * The life of one transaction: apply every callback once, ask the provider when it falls
 * silent, expire at the deadline, run the post-signing steps, then stay open a little to
 * absorb late duplicates.
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
  let requestedMode: FollowUpNow['mode'];

  const refresh = () => setCurrentDetails(describe(state));
  const onEvent = (event: ProviderEvent) => {
    const result = applyEvent(state, event, nowIso());
    if (result === 'duplicate') return;
    news++;
    if (result === 'status-changed') upsertSearchAttributes([{ key: SigningStatus, value: state.status }]);
    refresh();
  };

  for (const type of EVENT_TYPES) setHandler(eventSignals[type], onEvent);
  setHandler(stateQuery, () => state);
  setHandler(followUpNowSignal, (request) => {
    followUpRequested = true;
    requestedMode = request?.mode;
  });
  setHandler(registerUpdate, (reg) => {
    const result = register(state, reg, nowIso());
    if (result.newlyRegistered) {
      news++;
      upsertSearchAttributes([{ key: SigningStatus, value: state.status }]);
    }
    refresh();
    return result;
  });

  if (!input.carried && !input.searchAttributesSet) {
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
  const deadlineMs = () => (state.deadline ? Date.parse(state.deadline) : createdMs + ms(opts.defaultDeadline));

  refresh();
  while (!policy.settled(state)) {
    const now = Date.now();
    const limit = state.registered ? deadlineMs() : createdMs + ms(opts.unregisteredTtl);
    const canFollowUp = policy.followsUp && state.registered;
    const timeout = Math.max(0, Math.min(canFollowUp ? wait : Infinity, limit - now));
    const followUpDue = canFollowUp && now + wait < limit;
    state.nextFollowUpAt = followUpDue ? new Date(now + wait).toISOString() : undefined;
    refresh();

    const seen = news;
    const woke = await condition(() => news !== seen || followUpRequested || policy.settled(state), timeout, {
      summary: followUpDue ? 'silence: next follow-up' : state.registered ? 'deadline' : 'waiting for registration',
    });
    if (policy.settled(state)) break;

    if (woke && !followUpRequested) {
      // News restarts the silence clock.
      wait = firstAfter();
      attempt = 0;
    } else {
      const requested = followUpRequested;
      followUpRequested = false;
      const deadlinePassed = Date.now() >= limit;
      if (!state.registered) {
        if (deadlinePassed) {
          log.info('unregistered transaction closed: the application never registered it', { workflowId: state.workflowId });
          break;
        }
      } else {
        // An operator's request is honoured even where the engine would not poll on its own.
        if (canFollowUp || requested) {
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
              ...(requestedMode && { requested: requestedMode }),
            });
            requestedMode = undefined;
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
  refresh();
  if (state.registered) await runSteps(state, stepsFor(state, opts.defaultSteps), refresh);
  // Late duplicates and trailing activities (Signhost keeps sending signer activities after an
  // end status) land here instead of being recorded as late callbacks.
  await condition(() => false, ms(opts.lingerAfterFinal), { summary: 'linger for late duplicates' });
  await condition(allHandlersFinished);
  return state;
}

function expire(state: TransactionState, onEvent: (e: ProviderEvent) => void): void {
  if (state.kind === 'signing') {
    state.outcomeReason = `deadline ${state.deadline ?? '(default)'} passed with no final status from ${state.provider}`;
    onEvent({
      key: 'engine:deadline',
      type: 'expired',
      source: 'application',
      receivedAt: nowIso(),
      status: 'expired',
      providerStatus: 'deadline',
      reason: state.outcomeReason,
    });
  } else {
    state.outcomeReason = `deadline passed: no further certificate after ${state.status}`;
  }
}
