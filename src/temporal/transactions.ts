// Everything that turns an application call or a provider callback into Temporal calls.
// Shared by the HTTP receivers, the application API and the TypeScript client.
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { workflowIdFor } from '../shared/ids';
import { registerUpdate, signalFor, stateQuery } from '../shared/messages';
import { SigningExternalId, SigningProvider, SigningStatus } from '../shared/search-attributes';
import type { EngineOptions, ProviderEvent, Registration, TransactionInput, TransactionRef, TransactionState } from '../shared/types';
import type { LateCallback } from '../workflows/late-callback';

export interface TransactionContext {
  client: Client;
  taskQueue: string;
  engine?: EngineOptions;
}

const workflowType = (ref: TransactionRef) => (ref.kind === 'registered-mail' ? 'registeredMailWorkflow' : 'signingWorkflow');

function startOptions(ctx: TransactionContext, ref: TransactionRef, input: TransactionInput) {
  return {
    workflowId: workflowIdFor(ref),
    taskQueue: ctx.taskQueue,
    args: [{ ...input, searchAttributesSet: true }] as [TransactionInput],
    // A closed transaction never starts a second run: callbacks after the end are late.
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: SigningProvider, value: ref.provider },
      { key: SigningExternalId, value: ref.externalId },
      { key: SigningStatus, value: input.registered ? (ref.kind === 'signing' ? 'pending' : 'sent') : 'unregistered' },
    ],
  };
}

/**
 * Starts the transaction's workflow, or registers the application's side on the one a
 * callback started first. Idempotent: `created` is true only for the call that registered it.
 */
export async function registerTransaction(
  ctx: TransactionContext,
  ref: TransactionRef,
  registration: Registration,
): Promise<{ workflowId: string; created: boolean }> {
  const workflowId = workflowIdFor(ref);
  try {
    await ctx.client.workflow.start(workflowType(ref), startOptions(ctx, ref, { ...ref, registered: true, registration, options: ctx.engine }));
    return { workflowId, created: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  try {
    const result = await ctx.client.workflow.getHandle(workflowId).executeUpdate(registerUpdate, { args: [registration] });
    return { workflowId, created: result.newlyRegistered };
  } catch (err) {
    // Already closed: it was registered and has run its course.
    if (err instanceof WorkflowNotFoundError) return { workflowId, created: false };
    throw err;
  }
}

export type DeliveryResult = 'accepted' | 'late' | 'unknown-transaction';

/**
 * Hands a callback's events to the transaction's workflow. Returns only once Temporal has
 * durably accepted every signal, so a 2xx answer never loses a callback. Throws when Temporal
 * cannot be reached (the receiver answers so the provider retries).
 */
export async function deliverEvents(
  ctx: TransactionContext,
  ref: TransactionRef,
  events: ProviderEvent[],
  opts: { mayCreate: boolean; dossierId?: string },
): Promise<DeliveryResult> {
  const workflowId = workflowIdFor(ref);
  for (const [i, event] of events.entries()) {
    const result = opts.mayCreate
      ? await signalWithStart(ctx, ref, event, opts.dossierId)
      : await signalExisting(ctx, workflowId, event);
    if (result === 'late') {
      await recordLate(ctx, workflowId, ref, events.slice(i));
      return 'late';
    }
    if (result !== 'accepted') return result;
  }
  return 'accepted';
}

/**
 * A closed transaction got a callback. Facts it already holds are plain duplicates (Signhost
 * repeats every past signer activity in each postback); only new ones are kept as late.
 */
async function recordLate(ctx: TransactionContext, workflowId: string, ref: TransactionRef, events: ProviderEvent[]): Promise<void> {
  const known = await closedState(ctx, workflowId);
  const seen = new Set(known?.events.map((e) => e.key));
  for (const event of events) {
    if (!seen.has(event.key)) await startLateRecord(ctx, { workflowId, ref, event, reason: 'transaction workflow already closed' });
  }
}

async function closedState(ctx: TransactionContext, workflowId: string): Promise<TransactionState | undefined> {
  try {
    return (await ctx.client.workflow.getHandle(workflowId).result()) as TransactionState;
  } catch {
    // Failed, terminated or timed out: nothing to compare with, keep everything.
    return undefined;
  }
}

/** One event to the transaction's workflow, starting it `unregistered` if need be; exported for the bench's raw baseline. */
export async function signalWithStart(ctx: TransactionContext, ref: TransactionRef, event: ProviderEvent, dossierId?: string) {
  try {
    const input: TransactionInput = { ...ref, registered: false, options: ctx.engine, ...(dossierId && { registration: { dossierId } }) };
    await ctx.client.workflow.signalWithStart(workflowType(ref), {
      ...startOptions(ctx, ref, input),
      signal: signalFor(event),
      signalArgs: [event],
    });
    return 'accepted' as const;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'late' as const;
    throw err;
  }
}

async function signalExisting(ctx: TransactionContext, workflowId: string, event: ProviderEvent): Promise<DeliveryResult> {
  const handle = ctx.client.workflow.getHandle(workflowId);
  try {
    await handle.signal(signalFor(event), event);
    return 'accepted';
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  // Not running: either never registered, or closed (then the callback is late, not unknown).
  try {
    await handle.describe();
    return 'late';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'unknown-transaction';
    throw err;
  }
}

async function startLateRecord(ctx: TransactionContext, record: LateCallback): Promise<void> {
  try {
    await ctx.client.workflow.start('lateCallbackWorkflow', {
      workflowId: `late:${record.workflowId}:${record.event.key}`,
      taskQueue: ctx.taskQueue,
      args: [record],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: SigningProvider, value: record.ref.provider },
        { key: SigningExternalId, value: record.ref.externalId },
        { key: SigningStatus, value: 'late' },
      ],
    });
  } catch (err) {
    // The same late callback again: already on record.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** The `state` query; undefined when no such workflow exists. */
export async function getState(client: Client, workflowId: string): Promise<TransactionState | undefined> {
  try {
    return await client.workflow.getHandle(workflowId).query(stateQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}
