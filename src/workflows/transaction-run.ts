// What every run of a transaction's workflow shares, whichever loop drives it: the state,
// the signal, query and update handlers, and the continue-as-new thresholds.
import { setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { CONTINUE_AS_NEW } from '../common/bounds';
import { eventSignals, followUpNowSignal, registerUpdate, stateQuery, type EventBatch } from '../common/messages';
import { SigningStatus } from '../common/search-attributes';
import { applyEvent, newState, normalizeState, register, stateView } from '../common/transaction-state';
import type {
  EngineOptions,
  FollowUpNow,
  FollowUpPolicy,
  ProviderEvent,
  Registration,
  TransactionInput,
  TransactionState,
} from '../common/types';
import { EVENT_TYPES } from '../common/types';
import { DEFAULT_OPTIONS } from './defaults';
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
  readonly opts: EngineOptions & Omit<typeof DEFAULT_OPTIONS, 'followUp'>;
  /** The follow-up policy in force: the transaction's, its provider's, the engine's, the built-in one. */
  followUpPolicy(): Required<FollowUpPolicy>;
  /** Distinct events applied (and registrations) so far in this run. */
  readonly news: number;
  /** Times the registration changed what the loop waits for (deadline, follow-up policy). */
  readonly reschedules: number;
  /** Signals this run received. */
  readonly signals: number;
  /** An operator asked for a follow-up now; take() clears it. */
  followUpRequest: { pending: boolean; mode?: FollowUpNow['mode'] };
  apply(events: ProviderEvent[]): void;
  /** Requests a poll when a held final status waits for the provider's confirmation. */
  askToConfirm(): void;
  refresh: () => void;
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

  const refresh = () => setCurrentDetails(describe(state));
  const applyOptions = { confirmUnverifiedFinals: perProvider?.confirmUnverifiedFinals === true };
  /** A held final status is confirmed by asking the provider at once, not after the silence. */
  const askToConfirm = () => {
    if (state.registered && state.awaitingConfirmation) run.followUpRequest = { pending: true, mode: 'poll' };
  };
  const apply = (events: ProviderEvent[]) => {
    let changed = false;
    let fresh = 0;
    for (const event of events) {
      const result = applyEvent(state, event, nowIso(), applyOptions);
      if (result === 'duplicate') continue;
      fresh++;
      if (result === 'status-changed') changed = true;
      if (result === 'held') askToConfirm();
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
    followUpRequest: { pending: false },
    apply,
    askToConfirm,
    refresh,
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
        askToConfirm();
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
  return run;
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
