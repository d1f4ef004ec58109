// Plain data shared by workflows, activities, receivers and clients. Everything here crosses
// Temporal payloads, so it stays JSON-plain (no Map, Set, Date or class instances).

/**
 * A provider's registered name (src/providers/registry.ts): one per built-in provider folder
 * under src/providers/; an operator may register more.
 */
export type ProviderName = string;

export const KINDS = ['signing', 'registered-mail'] as const;
export type TransactionKind = (typeof KINDS)[number];

export const SIGNING_STATUSES = [
  'pending',
  'in_progress',
  'signed',
  'rejected',
  'expired',
  'cancelled',
  'failed',
  // The deadline passed while a final status from an unverified callback still waited for the
  // provider's confirmation: neither that status nor `expired` can be claimed.
  'unconfirmed',
] as const;
export const REGISTERED_MAIL_STATUSES = ['sent', 'delivered', 'not_delivered', 'opened'] as const;
export type SigningStatus = (typeof SIGNING_STATUSES)[number];
export type RegisteredMailStatus = (typeof REGISTERED_MAIL_STATUSES)[number];
/** `unregistered`: an authenticated provider called back before the application registered it. */
export type TransactionStatus = SigningStatus | RegisteredMailStatus | 'unregistered';

/**
 * Where an event came from; `notify` is a callback the engine asked the provider to resend,
 * `operator` a person who settled a held final status by hand.
 */
export type EventSource = 'callback' | 'poll' | 'notify' | 'application' | 'operator';

/**
 * What happened, as one of the workflow's signal names. Each type is its own signal so the
 * Web UI's history reads like the transaction's story.
 */
export const EVENT_TYPES = [
  'statusReported', // a non-final status (pending, in progress, on hold)
  'signerAction', // one signer did something (signed their part, opened, reminded, ...)
  'stepCompleted',
  'signed',
  'rejected',
  'expired',
  'cancelled',
  'failed',
  'delivered',
  'notDelivered',
  'opened',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface ProviderEvent {
  /**
   * Provider-specific identity of this fact, e.g. `status:2` or `activity:<guid>`. The same
   * fact reported twice (retry, poll then callback) has the same key and is applied once.
   */
  key: string;
  type: EventType;
  source: EventSource;
  /** ISO time the engine learned of it (receiver or activity clock, not workflow time). */
  receivedAt: string;
  /** The normalized status this event moves the transaction to, when it moves it at all. */
  status?: TransactionStatus;
  /** The provider's own status code or action, kept verbatim. */
  providerStatus: string;
  /** Human-readable reason (reject reason, non-delivery info, ...). */
  reason?: string;
  /** Extra provider data worth keeping in workflow state (never in search attributes). */
  details?: Record<string, unknown>;
  /**
   * Set by the receivers on a callback whose sender proved nothing (always, for a provider
   * whose callbacks carry no proof; otherwise without its credential). Where the provider's status API can confirm it, a
   * final status it reports is held until the provider confirms it (docs/security.md).
   */
  unverified?: true;
}

export interface TransactionRef {
  provider: ProviderName;
  kind: TransactionKind;
  externalId: string;
  /** A named account of the provider (docs/accounts.md); absent for the default account. */
  account?: string;
}

/** What the application tells us when it registers a transaction. */
export interface Registration {
  /** Needed by providers whose processes live under a dossier (their module's `requiredRegistrationFields`). */
  dossierId?: string;
  /** The application's own reference, echoed in state. */
  reference?: string;
  /** ISO time after which a transaction with no final status ends `expired`. */
  deadline?: string;
  /** Post-signing steps to run when the transaction ends (replace the engine's defaults). */
  steps?: StepPlan;
  /** Overrides for when the engine asks the provider after silence (durations like '2h'). */
  followUp?: FollowUpPolicy;
}

/**
 * A post-signing step: the name of an activity registered on the worker (built-in or the
 * user's own), optionally with its own retry policy.
 */
export type StepSpec =
  | string
  | {
      name: string;
      /** Attempts before the step counts as failed; default 10. */
      maximumAttempts?: number;
      /** Longest a single attempt may take; default '5 minutes'. */
      timeout?: string;
    };

export interface StepPlan {
  onSigned?: StepSpec[];
  onRejected?: StepSpec[];
  onExpired?: StepSpec[];
}

/** What a post-signing step activity receives. */
export interface StepInput {
  step: string;
  /** The transaction as it ended. May hold personal data (signer names): keep it out of logs. */
  transaction: TransactionState;
}

export interface FollowUpPolicy {
  /** Silence after the last news before the first follow-up. */
  firstAfter?: string;
  /** Multiplier applied to the wait after each follow-up that brought no news. */
  backoff?: number;
  /** Upper bound for the wait between follow-ups. */
  maxInterval?: string;
}

export interface TransactionInput extends TransactionRef {
  /** False when a provider's callback created the workflow before the application did. */
  registered: boolean;
  registration?: Registration;
  options?: EngineOptions;
  /** Carried across continue-as-new. */
  carried?: TransactionState;
  /** Where the previous run's loop stood when it handed over (continue-as-new). */
  loop?: LoopState;
  /**
   * Callbacks accepted after an earlier run of this transaction closed (kept as late records),
   * applied when the transaction starts again: bounded by MAX_FOLDED_LATE_EVENTS.
   */
  lateEvents?: ProviderEvent[];
  /**
   * The starter set SigningProvider, SigningExternalId and SigningStatus at start, so the
   * workflow does not upsert the same values again (a history event and a visibility write per
   * transaction). Absent in runs started before this field existed, which replay as they ran.
   */
  searchAttributesSet?: boolean;
}

export interface TransactionEventRecord {
  key: string;
  type: EventType;
  source: EventSource;
  receivedAt: string;
  providerStatus: string;
  status?: TransactionStatus;
  reason?: string;
  details?: Record<string, unknown>;
  /** False when the event was kept but did not change the status (e.g. STEP-1 after FLOW). */
  applied: boolean;
  /** From a sender that proved nothing. */
  unverified?: true;
  /**
   * A final status from an unverified callback, held until the provider's status API says so:
   * `pending` until then, `confirmed` when the provider reported the same final status,
   * `contradicted` when it reported another, `rejected` when an operator refused it.
   */
  confirmation?: 'pending' | 'confirmed' | 'contradicted' | 'rejected';
}

/** How the transaction's final status was established. */
export type FinalEstablishedBy = 'verified-callback' | 'unverified-callback' | 'provider-api' | 'engine' | 'operator';

export interface TransactionState extends TransactionRef {
  workflowId: string;
  status: TransactionStatus;
  /** The provider's own value behind `status`. */
  providerStatus?: string;
  registered: boolean;
  reference?: string;
  dossierId?: string;
  deadline?: string;
  events: TransactionEventRecord[];
  /** Reason the transaction ended the way it did, when the engine decided it (e.g. deadline). */
  outcomeReason?: string;
  /**
   * How the final status was established: a callback that proved its sender, one that did not
   * (only where no status API could confirm it), the provider's status API, or the engine (deadline).
   */
  finalEstablishedBy?: FinalEstablishedBy;
  /** A final status an unverified callback reported, waiting for the provider to confirm it. */
  awaitingConfirmation?: HeldFinal;
  createdAt: string;
  updatedAt: string;
  /** When the engine last asked the provider, and what it learned. */
  lastFollowUp?: { at: string; outcome: string };
  nextFollowUpAt?: string;
  /** Steps the registration asked for (else the engine's defaults apply). */
  stepPlan?: StepPlan;
  /** The transaction's own follow-up policy, from its registration. */
  followUp?: FollowUpPolicy;
  steps?: StepRecord[];
  /**
   * Counts behind the bounded `events` list: every distinct event recorded, and how many of
   * them are no longer listed (summarized into `signers` and the counts).
   */
  eventCounts?: { recorded: number; summarized: number };
  /** One line per signer (by the provider's signer id): what they did last, how often. */
  signers?: Record<string, SignerSummary>;
  /** Signers beyond the bound, counted only. */
  signersOmitted?: number;
  /**
   * The dedupe record: hashes of every event key recorded, oldest first, bounded. Internal:
   * never in the `state` query, a step's input or the result.
   */
  seenKeys?: string[];
  /** What CountersignAttention was last set to (so a run upserts it only when it changes). */
  attention?: AttentionReason[];
}

/**
 * A final status held until the provider's status API confirms it. It is checked on its own
 * schedule (EngineOptions.heldFinal), not the silence backoff, so a failing API delays the
 * answer without ever turning it into `expired`.
 */
export interface HeldFinal {
  status: TransactionStatus;
  providerStatus: string;
  receivedAt: string;
  /** Checks of the provider's API made for it so far. */
  checks?: number;
  /** When the next check is due (ISO, workflow time). */
  nextCheckAt?: string;
  /** What the last failed check said (e.g. the API answered 401). */
  lastError?: string;
}

/** An operator's decision on a held final status. */
export interface HeldDecision {
  decision: 'accept' | 'reject';
  /** Who decided (an operator's name or id), kept in the transaction's events. */
  by: string;
  reason: string;
}

/** Why a transaction wants a person's attention; the search attribute CountersignAttention lists them. */
export const ATTENTION_REASONS = ['held-final', 'step-failed'] as const;
export type AttentionReason = (typeof ATTENTION_REASONS)[number];

export interface SignerSummary {
  /** Events about this signer. */
  events: number;
  /** The last one's provider code or action, and its label when the provider gave one. */
  last: string;
  lastAt: string;
}

export interface StepRecord {
  name: string;
  status: 'running' | 'completed' | 'failed';
  /** What the step returned (kept small by the step), or why it failed. */
  result?: unknown;
  error?: string;
  at: string;
}

/** Engine-wide settings the worker's config hands to each workflow at start. */
export interface EngineOptions {
  /** How long an `unregistered` workflow waits for the application before closing. */
  unregisteredTtl?: string;
  /** How long a transaction stays open after its final status to absorb late duplicates. */
  lingerAfterFinal?: string;
  /** Deadline when the application gives none. */
  defaultDeadline?: string;
  followUp?: FollowUpPolicy;
  /** Steps for transactions whose registration names none, by provider, then under `default` for all. */
  defaultSteps?: Partial<Record<ProviderName, StepPlan>>;
  /** Per provider: its follow-up policy (beats `followUp`) and the task queue its follow-ups run on. */
  providers?: Partial<Record<ProviderName, ProviderEngineOptions>>;
  /** Lower continue-as-new thresholds (defaults in common/bounds.ts); tests use it to force hand-overs. */
  continueAsNew?: ContinueAsNewLimits;
  heldFinal?: HeldFinalPolicy;
  /**
   * Longest a run sleeps without waking, so a run pinned to an old worker deployment version
   * notices a newer current version and moves to it (docs/upgrading.md).
   */
  wakeUpInterval?: string;
}

/** How a held final status is confirmed; defaults in engine-defaults.ts. */
export interface HeldFinalPolicy {
  /** Waits between checks of the provider's API, the first one after the first check; the last repeats. */
  checks?: string[];
  /** How long past the deadline an `unconfirmed` transaction keeps checking before it closes. */
  grace?: string;
}

/**
 * The workflow loop's own state, carried across continue-as-new so a new run resumes where
 * the last one stood (the follow-up backoff, the last outcome a provider's follow-up chooses by, a step
 * half done, the linger already begun). Times are epoch milliseconds of workflow time.
 */
export interface LoopState {
  phase: 'waiting' | 'steps' | 'linger';
  /** Current silence interval before the next follow-up, ms. */
  wait: number;
  /** Follow-ups since the last news. */
  attempt: number;
  lastOutcome?: string;
  /** When the current silence began (last news or last follow-up). */
  silenceSince: number;
  /** An operator's follow-up request not yet acted on when the run handed over. */
  pendingRequest?: { mode?: FollowUpNow['mode'] };
  /** In phase `linger`: when the workflow closes. */
  lingerUntil?: number;
}

/** Thresholds at which a run hands over to a fresh one; tests lower them. */
export interface ContinueAsNewLimits {
  maxHistoryEvents?: number;
  maxHistoryBytes?: number;
  maxSignals?: number;
}

export interface ProviderEngineOptions {
  followUp?: FollowUpPolicy;
  /**
   * Hold a final status from an unverified callback until the provider's status API confirms
   * it (set where that API is configured; CONFIRM_UNVERIFIED_FINALS).
   */
  confirmUnverifiedFinals?: boolean;
  /** Unset: follow-ups run on the workflow's own task queue. */
  followUpTaskQueue?: string;
}

export interface FollowUpRequest {
  ref: TransactionRef;
  workflowId: string;
  dossierId?: string;
  /** 1 for the first follow-up after silence, 2 for the next, ... */
  attempt: number;
  /** Whether the last follow-up already asked for a notification that never came. */
  previousOutcome?: string;
  /** Set when an operator asked for a specific kind of follow-up. */
  requested?: FollowUpNow['mode'];
  /** Set when the call checks a final status held for confirmation (counted apart in metrics). */
  purpose?: 'held-final';
}

export interface FollowUpNow {
  mode?: 'poll' | 'notify';
}

export interface FollowUpResult {
  events: ProviderEvent[];
  /** Short, operator-readable: `polled: status 1`, `notify requested`, `not supported`, ... */
  outcome: string;
}
