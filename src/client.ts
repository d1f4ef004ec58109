// The application's TypeScript API (docs/contract.md "Application API"). Import from
// 'countersign/client' and pass your own Temporal Client (one per process).
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { createDataConverter } from './encryption/data-converter';
import { parseKeyList } from './encryption/keys';
import { getState, registerTransaction } from './temporal/transactions';
import { labelOf } from './providers/module';
import { builtInProviders } from './providers/registry';
import type { ProviderName, Registration, TransactionState } from './common/types';

export interface StartOptions extends Registration {
  /** Task queue of the Countersign worker; default `countersign`. */
  taskQueue?: string;
}

export interface StartSigningTransaction extends StartOptions {
  provider: ProviderName;
  /** The provider's transaction, process or document id. */
  externalId: string;
  /** A named account of the provider (docs/accounts.md); absent: the default account. */
  account?: string;
}

/**
 * Registers a signing transaction the application just sent to a provider. Idempotent on
 * provider + external id; `created` is false when it was registered before.
 */
export function startSigningTransaction(client: Client, opts: StartSigningTransaction) {
  const { provider, externalId, account, taskQueue = 'countersign', ...registration } = opts;
  // The fields a built-in provider's module requires (the API refuses without them too).
  const module = builtInProviders.get(provider);
  const missing = module?.requiredRegistrationFields?.find((f) => !(registration as Record<string, unknown>)[f]);
  if (module && missing) throw new TypeError(`${missing} is required for ${labelOf(module)}`);
  const ref = { provider, kind: 'signing' as const, externalId, ...(account && { account }) };
  return registerTransaction({ client, taskQueue }, ref, registration);
}

/** The built-in provider that tracks registered mail. */
const registeredMailProvider = builtInProviders.tracking('registered-mail')[0];

/** Registers a registered mail at the built-in provider that tracks them. */
export function startRegisteredMail(
  client: Client,
  opts: StartOptions & { registeredMailId: string; account?: string },
) {
  const { registeredMailId, account, taskQueue = 'countersign', ...registration } = opts;
  return registerTransaction(
    { client, taskQueue },
    {
      provider: registeredMailProvider,
      kind: 'registered-mail',
      externalId: registeredMailId,
      ...(account && { account }),
    },
    registration,
  );
}

/** The transaction's `state` query, or undefined if there is no such workflow. */
export function getTransactionState(client: Client, workflowId: string): Promise<TransactionState | undefined> {
  return getState(client, workflowId);
}

/**
 * What your own Client needs when Countersign encrypts payloads: the key list Countersign has
 * (`COUNTERSIGN_ENCRYPTION_KEYS`, `id:base64,...`, newest first).
 * `new Client({ connection, dataConverter: countersignDataConverter(keys) })`.
 */
export function countersignDataConverter(keys: string): DataConverter {
  return createDataConverter({ keys: parseKeyList(keys) });
}

export { UnknownEncryptionKeyError, PayloadDecryptionError } from './encryption/payload-codec';
export { workflowIdFor } from './common/ids';
export type * from './common/types';
