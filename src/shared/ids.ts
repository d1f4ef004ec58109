import { KINDS, PROVIDERS } from './types';
import type { ProviderName, TransactionKind, TransactionRef } from './types';

/**
 * Deterministic workflow ids (docs/contract.md): receivers, the application and operators all
 * find a transaction from what they already know.
 */
export function workflowIdFor(ref: TransactionRef): string {
  return `${ref.kind}:${ref.provider}:${ref.externalId}`;
}

export function parseWorkflowId(workflowId: string): TransactionRef | undefined {
  const [kind, provider, ...rest] = workflowId.split(':');
  const externalId = rest.join(':');
  if (!KINDS.includes(kind as TransactionKind) || !PROVIDERS.includes(provider as ProviderName) || !externalId) {
    return undefined;
  }
  return { kind: kind as TransactionKind, provider: provider as ProviderName, externalId };
}
