import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import type { FollowUpRequest, FollowUpResult, TransactionState } from '../common/types';

export type FollowUpActivity = (req: FollowUpRequest) => Promise<FollowUpResult>;

/**
 * One follow-up activity for the transaction. A provider that refuses our credentials or
 * stays down must not end the transaction: its failure becomes an outcome with no events,
 * and the loop keeps waiting for callbacks and asks again later.
 */
export async function askProvider(
  followUp: FollowUpActivity,
  state: TransactionState,
  attempt: number,
  previousOutcome: string | undefined,
  mode?: 'poll' | 'notify',
  purpose?: FollowUpRequest['purpose'],
): Promise<FollowUpResult & { failed?: true }> {
  try {
    return await followUp({
      ref: { provider: state.provider, kind: state.kind, externalId: state.externalId },
      workflowId: state.workflowId,
      dossierId: state.dossierId,
      attempt,
      previousOutcome,
      ...(mode && { requested: mode }),
      ...(purpose && { purpose }),
    });
  } catch (err) {
    // Cancelled by the workflow (a hand-over, a final status): not the provider's failure.
    if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
    const kind =
      err.cause instanceof ApplicationFailure && err.cause.type
        ? err.cause.type
        : (err.cause?.name ?? 'ActivityFailure');
    return { events: [], outcome: `follow-up failed: ${kind}: ${err.cause?.message ?? err.message}`, failed: true };
  }
}
