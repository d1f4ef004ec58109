import { KINDS } from './types';
import type { TransactionKind, TransactionRef } from './types';

/**
 * Deterministic workflow ids (docs/contract.md): receivers, the application and operators all
 * find a transaction from what they already know.
 */
export function workflowIdFor(ref: TransactionRef): string {
  return `${ref.kind}:${ref.provider}:${ref.externalId}`;
}

/** `isProvider`: whether a name is a configured provider (the registry's `has`); default any name. */
export function parseWorkflowId(
  workflowId: string,
  isProvider: (name: string) => boolean = () => true,
): TransactionRef | undefined {
  const [kind, provider, ...rest] = workflowId.split(':');
  const externalId = rest.join(':');
  if (!KINDS.includes(kind as TransactionKind) || !provider || !isProvider(provider) || !externalId) {
    return undefined;
  }
  return { kind: kind as TransactionKind, provider, externalId };
}
