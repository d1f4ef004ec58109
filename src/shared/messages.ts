import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { EventType, FollowUpNow, ProviderEvent, Registration, TransactionState } from './types';
import { EVENT_TYPES } from './types';

/**
 * One signal per event type, all carrying a ProviderEvent. Defined once here and shared by
 * workflows, receivers and clients so a name can never drift between sender and handler.
 */
export const eventSignals = Object.fromEntries(
  EVENT_TYPES.map((type) => [type, defineSignal<[ProviderEvent]>(type)]),
) as { [K in EventType]: ReturnType<typeof defineSignal<[ProviderEvent]>> };

export function signalFor(event: ProviderEvent) {
  return eventSignals[event.type];
}

export const stateQuery = defineQuery<TransactionState>('state');

/** Registers (or re-registers) the application's side; answers whether this call was the first. */
export const registerUpdate = defineUpdate<{ newlyRegistered: boolean }, [Registration]>('register');

/**
 * Operators: ask the provider now instead of waiting for the next follow-up timer. `poll`
 * asks the status API, `notify` asks for the callback again (Signicat); unset lets the
 * provider module choose.
 */
export const followUpNowSignal = defineSignal<[FollowUpNow?]>('followUpNow');
