import type { ProviderEvent, TransactionRef } from '../shared/types';

export interface LateCallback {
  /** The closed transaction this callback was about. */
  workflowId: string;
  ref: TransactionRef;
  event: ProviderEvent;
  /** Why it could not be applied, e.g. `workflow closed`. */
  reason: string;
}

/**
 * Keeps a callback that arrived after its transaction's workflow closed, where operators can
 * see it (workflow type `lateCallbackWorkflow`, the late event as its result). It never
 * starts a second run of the transaction itself.
 */
export async function lateCallbackWorkflow(record: LateCallback): Promise<LateCallback> {
  return record;
}
