// Pure, deterministic state transitions for a transaction. Workflows call these; unit tests
// and property tests call them directly.
import { canTransition, initialStatus } from './status';
import { workflowIdFor } from './ids';
import type { ProviderEvent, Registration, TransactionInput, TransactionState } from './types';

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
  };
  if (input.registration) applyRegistrationFields(state, input.registration);
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
 * already has is consistent with it (its provider value may differ: Evrotrust 1 and 99 are
 * both pending), so it counts as applied without changing the status.
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

export type ApplyResult = 'duplicate' | 'recorded' | 'status-changed';

/**
 * Records an event once (by key) and moves the status when allowed. A duplicate is ignored
 * entirely; an event that cannot move the status (late or out of order) is still kept, with
 * `applied: false`, so the history shows everything the provider said.
 */
export function applyEvent(state: TransactionState, event: ProviderEvent, now: string): ApplyResult {
  if (state.events.some((e) => e.key === event.key)) return 'duplicate';
  const moved = transition(state, event);
  state.events.push({
    key: event.key,
    type: event.type,
    source: event.source,
    receivedAt: event.receivedAt,
    providerStatus: event.providerStatus,
    ...(event.status !== undefined && { status: event.status }),
    ...(event.reason !== undefined && { reason: event.reason }),
    ...(event.details !== undefined && { details: event.details }),
    applied: moved !== 'refused',
  });
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
    e.applied = transition(state, e) !== 'refused';
  }
  return { newlyRegistered: true };
}
