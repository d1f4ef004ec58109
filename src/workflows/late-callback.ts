import type { ProviderEvent, TransactionRef } from '../common/types';

export interface LateCallback {
  /** The closed transaction this callback was about. */
  workflowId: string;
  ref: TransactionRef;
  /** The callback's events the closed transaction did not hold. */
  events?: ProviderEvent[];
  /** Records written before callbacks were batched held one event each. */
  event?: ProviderEvent;
  /** Why it could not be applied, e.g. `workflow closed`. */
  reason: string;
}

/** A late record's events, whichever shape it was written in. */
export function lateEvents(record: LateCallback): ProviderEvent[] {
  return record.events ?? (record.event ? [record.event] : []);
}

/**
 * Keeps a callback that arrived after its transaction's workflow closed, where operators can
 * see it (workflow type `lateCallbackWorkflow`, the late events as its result). It never
 * starts a second run of the transaction itself.
 */
export function lateCallbackWorkflow(record: LateCallback): Promise<LateCallback> {
  return Promise.resolve(record);
}
