import type { ProviderName, TransactionEventRecord, TransactionState } from '../../src/shared/types';

/** A transaction as a step receives it when it ended; events as the receivers record them. */
export function endedState(
  provider: ProviderName,
  externalId: string,
  events: Array<Partial<TransactionEventRecord> & Pick<TransactionEventRecord, 'key' | 'type'>>,
  over: Partial<TransactionState> = {},
): TransactionState {
  return {
    workflowId: `signing:${provider}:${externalId}`,
    provider,
    kind: 'signing',
    externalId,
    status: 'signed',
    providerStatus: 'FLOW',
    registered: true,
    reference: 'order-42',
    createdAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-01T11:00:00.000Z',
    events: events.map((e) => ({ source: 'callback', receivedAt: '2026-03-01T11:00:00.000Z', providerStatus: e.key, applied: true, ...e })),
    ...over,
  };
}
