// Pure, deterministic state transitions for a transaction. Workflows call these; unit tests
// and property tests call them directly. Everything a transaction keeps is bounded (see
// ./bounds): the dedupe record, the event list and the per-signer summary.
import {
  DETAIL_STRING_MAX,
  DETAILS_JSON_MAX,
  DOCUMENT_EVENTS,
  MAX_SEEN_KEYS,
  MAX_SIGNERS,
  REASON_MAX,
  RECENT_EVENTS,
} from './bounds';
import { keyHash } from './key-hash';
import { canTransition, FINAL_EVENT_TYPE, initialStatus, isFinal } from './status';
import { workflowIdFor } from './ids';
import type {
  AttentionReason,
  FinalEstablishedBy,
  HeldDecision,
  ProviderEvent,
  Registration,
  TransactionEventRecord,
  TransactionInput,
  TransactionState,
} from './types';

export function newState(input: TransactionInput, now: string): TransactionState {
  const state: TransactionState = {
    workflowId: workflowIdFor(input),
    provider: input.provider,
    kind: input.kind,
    externalId: input.externalId,
    status: input.registered ? initialStatus(input.kind) : 'unregistered',
    registered: input.registered,
    events: [],
    createdAt: now,
    updatedAt: now,
    eventCounts: { recorded: 0, summarized: 0 },
    seenKeys: [],
  };
  if (input.registration) applyRegistrationFields(state, input.registration);
  return state;
}

/**
 * A state carried from a run of older code (every event kept, no dedupe record) brought to
 * today's bounded shape. Idempotent on a state that is already bounded.
 */
export function normalizeState(state: TransactionState): TransactionState {
  state.seenKeys ??= state.events.map((e) => keyHash(e.key)).slice(-MAX_SEEN_KEYS);
  state.eventCounts ??= { recorded: state.events.length, summarized: 0 };
  prune(state);
  return state;
}

function applyRegistrationFields(state: TransactionState, reg: Registration): void {
  if (reg.reference !== undefined) state.reference = reg.reference;
  if (reg.dossierId !== undefined) state.dossierId = reg.dossierId;
  if (reg.deadline !== undefined) state.deadline = reg.deadline;
  if (reg.steps !== undefined) state.stepPlan = reg.steps;
  if (reg.followUp !== undefined) state.followUp = reg.followUp;
}

type Transition = 'changed' | 'same' | 'refused' | 'no-status';

/**
 * Moves the status if the event allows it. An event reporting the status the transaction
 * already has is consistent with it (its provider value may differ: two provider codes may
 * both mean pending), so it counts as applied without changing the status.
 */
function transition(state: TransactionState, event: Pick<ProviderEvent, 'status' | 'providerStatus'>): Transition {
  if (event.status === undefined) return 'no-status';
  if (!state.registered) return 'refused';
  if (event.status === state.status) {
    state.providerStatus = event.providerStatus;
    return 'same';
  }
  if (!canTransition(state.kind, state.status, event.status)) return 'refused';
  state.status = event.status;
  state.providerStatus = event.providerStatus;
  return 'changed';
}

/** `held`: a final status from an unverified callback, waiting for the provider to confirm it. */
export type ApplyResult = 'duplicate' | 'recorded' | 'status-changed' | 'held';

export interface ApplyOptions {
  /** Hold final statuses from unverified callbacks until the provider's status API confirms them. */
  confirmUnverifiedFinals?: boolean;
}

function establishedBy(event: Pick<ProviderEvent, 'source' | 'unverified'>): FinalEstablishedBy {
  if (event.source === 'poll' || event.source === 'notify') return 'provider-api';
  if (event.source === 'application') return 'engine';
  if (event.source === 'operator') return 'operator';
  return event.unverified ? 'unverified-callback' : 'verified-callback';
}

/** A final signing status an unverified callback reports, to be held while confirmation is on. */
const mustHold = (state: TransactionState, event: ProviderEvent, opts: ApplyOptions) =>
  !!opts.confirmUnverifiedFinals &&
  event.unverified === true &&
  event.source === 'callback' &&
  state.kind === 'signing' &&
  event.status !== undefined &&
  isFinal(event.status) &&
  canTransition(state.kind, state.status, event.status);

/**
 * Holds an unverified final status: recorded, not applied, and not remembered under its own
 * key, so the provider's answer about the same status (same key) still counts when it comes.
 */
function hold(state: TransactionState, event: ProviderEvent, now: string): ApplyResult {
  const heldKey = `unverified:${event.key}`;
  if (seenBefore(state, heldKey)) return 'duplicate';
  remember(state, heldKey);
  state.events.push({
    key: heldKey,
    type: event.type,
    source: event.source,
    receivedAt: event.receivedAt,
    providerStatus: event.providerStatus,
    status: event.status,
    ...(event.reason !== undefined && { reason: cut(event.reason, REASON_MAX) }),
    applied: false,
    unverified: true,
    confirmation: 'pending',
  });
  state.eventCounts ??= { recorded: 0, summarized: 0 };
  state.eventCounts.recorded++;
  // Checked at once; later checks follow the held-final schedule, whatever the silence.
  state.awaitingConfirmation = {
    status: event.status!,
    providerStatus: event.providerStatus,
    receivedAt: event.receivedAt,
    checks: 0,
    nextCheckAt: now,
  };
  prune(state);
  state.updatedAt = now;
  return 'held';
}

/** Once a final status is established, each held one is settled against it. */
function settleHeld(state: TransactionState): void {
  if (!isFinal(state.status)) return;
  for (const e of state.events) {
    if (e.confirmation === 'pending') e.confirmation = e.status === state.status ? 'confirmed' : 'contradicted';
  }
  state.awaitingConfirmation = undefined;
}

/**
 * The deadline passed while a final status was held: the transaction claims neither that
 * status nor `expired`. The held event stays pending: a later confirmation still applies.
 */
export function markUnconfirmed(state: TransactionState, now: string): void {
  const held = state.awaitingConfirmation;
  if (!held || state.status === 'unconfirmed') return;
  state.status = 'unconfirmed';
  state.providerStatus = held.providerStatus;
  state.finalEstablishedBy = 'unverified-callback';
  state.outcomeReason =
    `deadline ${state.deadline ?? '(default)'} passed while "${held.status}" from an unverified callback ` +
    `waited for ${state.provider}'s confirmation` +
    (held.lastError ? `; the provider's API last answered: ${cut(held.lastError, REASON_MAX / 2)}` : '');
  state.updatedAt = now;
}

/** Records one check of a held final status that did not settle it, and when the next is due. */
export function heldChecked(state: TransactionState, nextCheckAt: string, error: string | undefined): void {
  const held = state.awaitingConfirmation;
  if (!held) return;
  held.checks = (held.checks ?? 0) + 1;
  held.nextCheckAt = nextCheckAt;
  if (error !== undefined) held.lastError = cut(error, REASON_MAX / 2);
}

/**
 * An operator settles a held final status by hand. Accepted, it applies as if the provider
 * had confirmed it (established by `operator`); rejected, the hold is dropped and the
 * transaction waits for the provider as before (past its deadline, it then expires).
 */
export function decideHeld(state: TransactionState, d: HeldDecision, now: string): ApplyResult {
  const held = state.awaitingConfirmation;
  if (!held) return 'duplicate';
  const n = state.eventCounts?.recorded ?? state.events.length;
  const base = {
    key: `operator:${d.decision}:${n}`,
    source: 'operator' as const,
    receivedAt: now,
    reason: `${d.decision}ed by ${d.by}: ${d.reason}`,
  };
  if (d.decision === 'accept') {
    const type = FINAL_EVENT_TYPE[held.status] ?? 'statusReported';
    return applyEvent(state, { ...base, type, status: held.status, providerStatus: held.providerStatus }, now);
  }
  for (const e of state.events) if (e.confirmation === 'pending') e.confirmation = 'rejected';
  state.awaitingConfirmation = undefined;
  if (state.status === 'unconfirmed') {
    // Back to waiting: the loop expires it at once when the deadline has passed.
    state.status = state.events.some((e) => e.applied && e.status === 'in_progress') ? 'in_progress' : 'pending';
    state.outcomeReason = undefined;
    state.finalEstablishedBy = undefined;
  }
  return applyEvent(state, { ...base, type: 'statusReported', providerStatus: 'operator-rejected' }, now);
}

/** What the transaction wants a person to look at (the CountersignAttention search attribute). */
export function attentionOf(state: TransactionState): AttentionReason[] {
  const out: AttentionReason[] = [];
  if (state.awaitingConfirmation) out.push('held-final');
  if (state.steps?.some((s) => s.status === 'failed')) out.push('step-failed');
  return out;
}

// The in-memory index over `seenKeys`, rebuilt from the array after a restart or a replay.
// Keyed by the array itself so a replaced array never reads a stale index.
const seenIndex = new WeakMap<string[], Set<string>>();
function seenSet(state: TransactionState): Set<string> {
  const keys = (state.seenKeys ??= []);
  let set = seenIndex.get(keys);
  if (!set) {
    set = new Set(keys);
    seenIndex.set(keys, set);
  }
  return set;
}

/** Whether this event's key was recorded already (by its hash). */
export function seenBefore(state: TransactionState, key: string): boolean {
  return seenSet(state).has(keyHash(key));
}

function remember(state: TransactionState, key: string): void {
  const hash = keyHash(key);
  const set = seenSet(state);
  set.add(hash);
  state.seenKeys!.push(hash);
  if (state.seenKeys!.length > MAX_SEEN_KEYS) {
    for (const old of state.seenKeys!.splice(0, state.seenKeys!.length - MAX_SEEN_KEYS)) set.delete(old);
  }
}

/**
 * Records an event once (by key) and moves the status when allowed. A duplicate is ignored
 * entirely; an event that cannot move the status (late or out of order) is still kept, with
 * `applied: false`, so the history shows everything the provider said.
 */
export function applyEvent(
  state: TransactionState,
  event: ProviderEvent,
  now: string,
  opts: ApplyOptions = {},
): ApplyResult {
  if (seenBefore(state, event.key)) return 'duplicate';
  if (mustHold(state, event, opts)) return hold(state, event, now);
  remember(state, event.key);
  const moved = transition(state, event);
  if (moved === 'changed' && isFinal(state.status)) {
    state.finalEstablishedBy = establishedBy(event);
    settleHeld(state);
  }
  const record: TransactionEventRecord = {
    key: event.key,
    type: event.type,
    source: event.source,
    receivedAt: event.receivedAt,
    providerStatus: event.providerStatus,
    ...(event.status !== undefined && { status: event.status }),
    ...(event.reason !== undefined && { reason: cut(event.reason, REASON_MAX) }),
    ...(event.details !== undefined && { details: compactDetails(event.details) }),
    applied: moved !== 'refused',
    ...(event.unverified && { unverified: true as const }),
  };
  state.events.push(record);
  state.eventCounts ??= { recorded: 0, summarized: 0 };
  state.eventCounts.recorded++;
  summarizeSigner(state, record);
  prune(state);
  state.updatedAt = now;
  return moved === 'changed' ? 'status-changed' : 'recorded';
}

/**
 * The application registers the transaction. If callbacks came first (status `unregistered`),
 * their events are replayed in arrival order so the result is what it would have been had the
 * registration come first.
 */
export function register(state: TransactionState, reg: Registration, now: string): { newlyRegistered: boolean } {
  applyRegistrationFields(state, reg);
  state.updatedAt = now;
  if (state.registered) return { newlyRegistered: false };
  state.registered = true;
  state.status = initialStatus(state.kind);
  for (const e of state.events) {
    if (e.confirmation !== undefined) continue;
    e.applied = transition(state, e) !== 'refused';
    if (e.applied && isFinal(state.status) && state.finalEstablishedBy === undefined) {
      state.finalEstablishedBy = establishedBy(e);
    }
  }
  return { newlyRegistered: true };
}

const DOCUMENT_DETAILS = ['fileIds', 'fileId', 'apiDownload'];
const carriesDocument = (e: TransactionEventRecord) => DOCUMENT_DETAILS.some((k) => e.details?.[k] !== undefined);

/**
 * Keeps the event list bounded: for each status value its latest event (what registration
 * replays and what decided the outcome), the latest events naming documents (what downloads
 * need), and the most recent others. Everything dropped is counted.
 */
function prune(state: TransactionState): void {
  const events = state.events;
  if (events.length <= RECENT_EVENTS) return;
  const keep = new Array<boolean>(events.length).fill(false);
  const statusSeen = new Set<string>();
  let documents = 0;
  let recent = 0;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.status !== undefined && !statusSeen.has(e.status)) {
      statusSeen.add(e.status);
      keep[i] = true;
    } else if (carriesDocument(e) && documents < DOCUMENT_EVENTS) {
      documents++;
      keep[i] = true;
    } else if (recent < RECENT_EVENTS) {
      recent++;
      keep[i] = true;
    }
  }
  const kept = events.filter((_, i) => keep[i]);
  const dropped = events.length - kept.length;
  if (dropped === 0) return;
  state.events = kept;
  state.eventCounts ??= { recorded: kept.length + dropped, summarized: 0 };
  state.eventCounts.summarized += dropped;
}

function summarizeSigner(state: TransactionState, record: TransactionEventRecord): void {
  const signerId = record.details?.signerId;
  if (typeof signerId !== 'string' || signerId === '') return;
  const signers = (state.signers ??= {});
  const label = typeof record.details?.activity === 'string' ? ` ${record.details.activity}` : '';
  const entry = signers[signerId];
  if (!entry && Object.keys(signers).length >= MAX_SIGNERS) {
    state.signersOmitted = (state.signersOmitted ?? 0) + 1;
    return;
  }
  signers[signerId] = {
    events: (entry?.events ?? 0) + 1,
    last: `${record.providerStatus}${label}`,
    lastAt: record.receivedAt,
  };
}

/**
 * An event cut to what the workflow would keep of it. The receivers send events in this
 * form, so a signal's payload is bounded by the number of events, not by the provider's
 * field lengths.
 */
export function compactEvent(event: ProviderEvent): ProviderEvent {
  return {
    ...event,
    ...(event.reason !== undefined && { reason: cut(event.reason, REASON_MAX) }),
    ...(event.details !== undefined && { details: compactDetails(event.details) }),
  };
}

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Long strings cut, and the whole object kept under DETAILS_JSON_MAX (later keys dropped). */
function compactDetails(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let size = 2;
  for (const [key, value] of Object.entries(details)) {
    const v = compactValue(value);
    const entry = JSON.stringify(v) ?? '';
    if (size + key.length + entry.length + 4 > DETAILS_JSON_MAX) {
      out.truncated = true;
      break;
    }
    size += key.length + entry.length + 4;
    out[key] = v;
  }
  return out;
}

function compactValue(value: unknown): unknown {
  if (typeof value === 'string') return cut(value, DETAIL_STRING_MAX);
  if (Array.isArray(value)) return value.slice(0, 50).map(compactValue);
  return value;
}

/**
 * The transaction as the `state` query, the HTTP API and operators see it: everything but
 * the internal dedupe record.
 */
export function stateView(state: TransactionState): TransactionState {
  const { seenKeys: _seen, ...view } = state;
  return view;
}

/**
 * What a closed run returns: the step projection plus the dedupe record, so a callback
 * arriving after close is recognised as a duplicate by the same hashes the run used, and a
 * run started from this result (registration after the TTL, `late apply`) dedupes as before.
 */
export function closingResult(state: TransactionState): TransactionState {
  return { ...stepProjection(state), seenKeys: state.seenKeys };
}

/** Whether a closed transaction's result already holds this event (under its key or held). */
export function alreadyRecorded(closed: TransactionState, key: string): boolean {
  if (closed.seenKeys) return seenBefore(closed, key) || seenBefore(closed, `unverified:${key}`);
  return closed.events.some((e) => e.key === key || e.key === `unverified:${key}`);
}

/** Events a step's input and the workflow's result keep: the decisive ones and the last few. */
const PROJECTION_RECENT = 10;

/**
 * What a post-signing step receives and what the workflow returns: the view with only the
 * events that decided the outcome, name documents, or came last.
 */
export function stepProjection(state: TransactionState): TransactionState {
  const view = stateView(state);
  const last = view.events.length - PROJECTION_RECENT;
  const events = view.events.filter((e, i) => i >= last || e.status !== undefined || carriesDocument(e));
  const { signers: _signers, ...rest } = view;
  return { ...rest, events };
}
