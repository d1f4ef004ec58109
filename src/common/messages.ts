import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  EventType,
  FollowUpNow,
  HeldDecision,
  ProviderEvent,
  Registration,
  TransactionState,
  TransactionStatus,
} from './types';
import { EVENT_TYPES } from './types';

/**
 * What one event signal carries: every event of one callback (or follow-up), applied
 * atomically in one handler call. Runs started before callbacks were batched received one
 * event per signal; the handler still takes that shape.
 */
export type EventBatch = ProviderEvent | ProviderEvent[];

/**
 * One signal name per event type. A callback is one signal, named after its most significant
 * event, so the Web UI's history still reads as the transaction's story. Defined once here
 * and shared by workflows, receivers and clients so a name can never drift.
 */
export const eventSignals = Object.fromEntries(EVENT_TYPES.map((type) => [type, defineSignal<[EventBatch]>(type)])) as {
  [K in EventType]: ReturnType<typeof defineSignal<[EventBatch]>>;
};

// Later in the list is more significant: a final status tells the story better than the
// signer activities that came with it.
const SIGNIFICANCE: EventType[] = [
  'signerAction',
  'stepCompleted',
  'statusReported',
  'delivered',
  'opened',
  'notDelivered',
  'failed',
  'cancelled',
  'expired',
  'rejected',
  'signed',
];

/** The signal a batch of events travels as. */
export function signalFor(events: EventBatch) {
  const list = Array.isArray(events) ? events : [events];
  let best = list[0]?.type ?? 'statusReported';
  for (const e of list) if (SIGNIFICANCE.indexOf(e.type) > SIGNIFICANCE.indexOf(best)) best = e.type;
  return eventSignals[best];
}

export const stateQuery = defineQuery<TransactionState>('state');

/** Registers (or re-registers) the application's side; answers whether this call was the first. */
export const registerUpdate = defineUpdate<{ newlyRegistered: boolean }, [Registration]>('register');

/**
 * Operators: ask the provider now instead of waiting for the next follow-up timer. `poll`
 * asks the status API, `notify` asks for the callback again (providers whose module
 * `notifies`); unset lets the
 * provider module choose.
 */
export const followUpNowSignal = defineSignal<[FollowUpNow?]>('followUpNow');

/**
 * Operators: settle a final status held for the provider's confirmation (accept it, or reject
 * it and wait for the provider). Refused by its validator when nothing is held.
 */
export const decideHeldFinalUpdate = defineUpdate<{ status: TransactionStatus }, [HeldDecision]>('decideHeldFinal');

/** Operators: run again the post-signing steps that failed for good; answers which. */
export const retryFailedStepsUpdate = defineUpdate<{ retrying: string[] }, []>('retryFailedSteps');
