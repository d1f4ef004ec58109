// Transactions that want a person (CountersignAttention), counted from visibility: the server
// knows them across every worker and restart, which a counter in one process could not.
import type { Client } from '@temporalio/client';
import { CountersignAttention } from '../common/search-attributes';
import { ATTENTION_REASONS, type AttentionReason } from '../common/types';
import type { Metrics } from '../platform/metrics';

/** Open transactions wanting attention for this reason. */
export const attentionQuery = (reason: AttentionReason) =>
  `${CountersignAttention.name} = '${reason}' AND ExecutionStatus = 'Running'`;

/** Sets the needing-attention gauge from visibility; a scrape must not hang on a slow server. */
export async function countNeedingAttention(client: Client, metrics: Pick<Metrics, 'needingAttention'>) {
  await client.withDeadline(Date.now() + 2_000, () =>
    Promise.all(
      ATTENTION_REASONS.map(async (reason) => {
        const { count } = await client.workflow.count(attentionQuery(reason));
        metrics.needingAttention.set({ reason }, count);
      }),
    ),
  );
}
