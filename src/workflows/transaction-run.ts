// What every run of a transaction's workflow shares, whichever loop drives it: the state,
// the signal, query and update handlers, and the continue-as-new thresholds.
import { log, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { CONTINUE_AS_NEW } from '../common/bounds';
import {
  decideHeldFinalUpdate,
  eventSignals,
  followUpNowSignal,
  registerUpdate,
  retryFailedStepsUpdate,
  stateQuery,
  type EventBatch,
} from '../common/messages';
import { CountersignAttention, SigningStatus } from '../common/search-attributes';
import {
  applyEvent,
  attentionOf,
  decideHeld,
  newState,
  normalizeState,
  register,
  stateView,
} from '../common/transaction-state';
import type {
  HeldDecision,
  EngineOptions,
  FollowUpNow,
  FollowUpPolicy,
  ProviderEvent,
  Registration,
  TransactionInput,
  TransactionState,
} from '../common/types';
import { EVENT_TYPES } from '../common/types';
import { DEFAULT_OPTIONS } from '../common/engine-defaults';
import { describe } from './describe';

export interface TransactionPolicy {
  /** The transaction needs nothing more from the provider. */
  settled(state: TransactionState): boolean;
  /** Whether the engine may ask the provider when it stays silent. */
  followsUp: boolean;
}

export const nowIso = () => new Date().toISOString();

export interface TransactionRun {
  readonly input: TransactionInput;
  readonly state: TransactionState;
  readonly policy: TransactionPolicy;
  readonly opts: EngineOptions & Omit<typeof DEFAULT_OPTIONS, 'followUp' | 'heldFinal'>;
  /** The follow-up policy in force: the transaction's, its provider's, the engine's, the built-in one. */
  followUpPolicy(): Required<FollowUpPolicy>;
  /** Distinct events applied (and registrations) so far in this run. */
  readonly news: number;
  /**
   * Times something changed what the loop waits for: the registration (deadline, follow-up
   * policy), a final status held or settled by an operator, a retry of failed steps.
   */
  readonly reschedules: number;
  /** Signals this run received. */
  readonly signals: number;
  /** An operator asked for a follow-up now; take() clears it. */
  followUpRequest: { pending: boolean; mode?: FollowUpNow['mode'] };
  apply(events: ProviderEvent[]): void;
  /** Updates the Web UI's current details and, when it changed, CountersignAttention. */
  refresh: () => void;
  /** Failed steps an operator asked to run again, not yet taken by the loop. */
  retrySteps: boolean;
  /** A threshold of this run is reached: hand over to a fresh run. */
  mustContinueAsNew(): boolean;
  settled(): boolean;
}

/**
 * Builds the run's state and registers its handlers. Called before the first await, so no
 * signal or update is ever delivered to a workflow without its handler.
 */
export function startRun(input: TransactionInput, policy: TransactionPolicy, onNews: () => void): TransactionRun {
  const state = input.carried ? normalizeState(input.carried) : newState(input, nowIso());
  const perProvider = input.options?.providers?.[input.provider];
  const opts = { ...DEFAULT_OPTIONS, ...input.options };
  const limits = { ...CONTINUE_AS_NEW, ...input.options?.continueAsNew };
  let news = 0;
  let reschedules = 0;
  let signals = 0;

  const refresh = () => {
    setCurrentDetails(describe(state));
    const attention = attentionOf(state);
    if (attention.join() === (state.attention ?? []).join()) return;
    state.attention = attention;
    upsertSearchAttributes([{ key: CountersignAttention, value: attention.length > 0 ? attention : null }]);
  };
  const applyOptions = { confirmUnverifiedFinals: perProvider?.confirmUnverifiedFinals === true };
  const apply = (events: ProviderEvent[]) => {
    let changed = false;
    let fresh = 0;
    for (const event of events) {
      const result = applyEvent(state, event, nowIso(), applyOptions);
      if (result === 'duplicate') continue;
      fresh++;
      if (result === 'status-changed') changed = true;
      if (result === 'held') {
        // Its own schedule starts now: the loop must recompute when it wakes.
        reschedules++;
        log.warn('final status held until the provider confirms it', {
          workflowId: state.workflowId,
          status: event.status,
        });
      }
    }
    if (fresh === 0) return;
    news += fresh;
    // One upsert per batch: the status after all of it is what the Web UI should list.
    if (changed) upsertSearchAttributes([{ key: SigningStatus, value: state.status }]);
    refresh();
    onNews();
  };

  const run: TransactionRun = {
    input,
    state,
    policy,
    opts,
    followUpPolicy: () => ({
      ...DEFAULT_OPTIONS.followUp,
      ...input.options?.followUp,
      ...perProvider?.followUp,
      ...state.followUp,
    }),
    get news() {
      return news;
    },
    get reschedules() {
      return reschedules;
    },
    get signals() {
      return signals;
    },
    followUpRequest: input.loop?.pendingRequest
      ? { pending: true, mode: input.loop.pendingRequest.mode }
      : { pending: false },
    apply,
    refresh,
    retrySteps: false,
    mustContinueAsNew() {
      const info = workflowInfo();
      return (
        info.continueAsNewSuggested ||
        info.historyLength >= limits.maxHistoryEvents ||
        info.historySize >= limits.maxHistoryBytes ||
        signals >= limits.maxSignals
      );
    },
    settled: () => policy.settled(state),
  };

  for (const type of EVENT_TYPES) {
    setHandler(eventSignals[type], (batch: EventBatch) => {
      signals++;
      apply(Array.isArray(batch) ? batch : [batch]);
    });
  }
  setHandler(stateQuery, () => stateView(state));
  setHandler(followUpNowSignal, (request) => {
    signals++;
    run.followUpRequest = { pending: true, mode: request?.mode };
  });
  setHandler(
    registerUpdate,
    (reg: Registration) => {
      const timing = JSON.stringify([state.deadline, state.followUp]);
      const result = register(state, reg, nowIso());
      if (result.newlyRegistered) {
        news++;
        upsertSearchAttributes([{ key: SigningStatus, value: state.status }]);
        // The silence the engine follows up on starts when the application registered it.
        onNews();
      }
      if (result.newlyRegistered || JSON.stringify([state.deadline, state.followUp]) !== timing) reschedules++;
      refresh();
      return result;
    },
    { validator: validateRegistration },
  );
  setHandler(
    decideHeldFinalUpdate,
    (decision: HeldDecision) => {
      const before = state.status;
      decideHeld(state, decision, nowIso());
      log.warn('held final status settled by an operator', {
        workflowId: state.workflowId,
        decision: decision.decision,
        status: state.status,
      });
      if (state.status !== before) upsertSearchAttributes([{ key: SigningStatus, value: state.status }]);
      news++;
      reschedules++;
      refresh();
      return { status: state.status };
    },
    { validator: (d: HeldDecision) => validateHeldDecision(state, d) },
  );
  setHandler(
    retryFailedStepsUpdate,
    () => {
      const retrying = (state.steps ?? []).filter((s) => s.status === 'failed').map((s) => s.name);
      state.steps = (state.steps ?? []).filter((s) => s.status !== 'failed');
      run.retrySteps = true;
      reschedules++;
      refresh();
      return { retrying };
    },
    {
      validator: () => {
        if (!(state.steps ?? []).some((s) => s.status === 'failed')) throw new TypeError('no post-signing step failed');
      },
    },
  );
  return run;
}

const DECIDED_BY_MAX = 200;

/** Refuses a decision with nothing to decide on or without who and why, before it reaches history. */
export function validateHeldDecision(state: TransactionState, d: HeldDecision): void {
  if (!state.awaitingConfirmation) throw new TypeError('no final status is held for confirmation');
  if (d === null || typeof d !== 'object') throw new TypeError('decision must be an object');
  if (d.decision !== 'accept' && d.decision !== 'reject') throw new TypeError('decision must be accept or reject');
  if (typeof d.by !== 'string' || d.by.trim() === '' || d.by.length > DECIDED_BY_MAX)
    throw new TypeError(`by: who decided, 1 to ${DECIDED_BY_MAX} characters`);
  if (typeof d.reason !== 'string' || d.reason.trim() === '') throw new TypeError('reason: why, required');
}

/**
 * Refuses a registration the workflow could not act on, before it is written to history.
 * The API validates bodies already; this guards every other caller of the update.
 */
export function validateRegistration(reg: Registration): void {
  if (reg === null || typeof reg !== 'object') throw new TypeError('registration must be an object');
  if (reg.deadline !== undefined && Number.isNaN(Date.parse(reg.deadline)))
    throw new TypeError('registration.deadline is not a date-time');
  if (reg.reference !== undefined && typeof reg.reference !== 'string')
    throw new TypeError('registration.reference must be a string');
}
