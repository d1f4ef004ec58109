import { KINDS } from './types';
import type { TransactionKind, TransactionRef } from './types';

/**
 * Deterministic workflow ids (docs/contract.md): receivers, the application and operators all
 * find a transaction from what they already know.
 */
export function workflowIdFor(ref: TransactionRef): string {
  // A named account's ids differ from the default's: two accounts at one provider may number alike.
  const provider = ref.account ? `${ref.provider}@${ref.account}` : ref.provider;
  return `${ref.kind}:${provider}:${ref.externalId}`;
}

/** `isProvider`: whether a name is a configured provider (the registry's `has`); default any name. */
export function parseWorkflowId(
  workflowId: string,
  isProvider: (name: string) => boolean = () => true,
): TransactionRef | undefined {
  const [kind, providerPart, ...rest] = workflowId.split(':');
  const externalId = rest.join(':');
  const [provider, account, ...more] = (providerPart ?? '').split('@');
  if (!KINDS.includes(kind as TransactionKind) || !provider || !isProvider(provider) || !externalId) {
    return undefined;
  }
  if (account === '' || more.length > 0) return undefined;
  return { kind: kind as TransactionKind, provider, externalId, ...(account !== undefined && { account }) };
}
