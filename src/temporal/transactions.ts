// Everything that turns an application call or a provider callback into Temporal calls.
// Shared by the HTTP receivers, the application API and the TypeScript client.
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { workflowIdFor } from '../common/ids';
import { keyHash } from '../common/key-hash';
import { alreadyRecorded, compactEvent } from '../common/transaction-state';
import { registerUpdate, signalFor, stateQuery, type EventBatch } from '../common/messages';
import { SigningDeadline, SigningExternalId, SigningProvider, SigningStatus } from '../common/search-attributes';
import type {
  EngineOptions,
  ProviderEvent,
  Registration,
  TransactionInput,
  TransactionRef,
  TransactionState,
} from '../common/types';
import { lateEvents, type LateCallback } from '../workflows/late-callback';
import { lateCallbackWorkflow, registeredMailWorkflow, signingWorkflow } from '../workflows';
import { DEFAULT_OPTIONS } from '../common/engine-defaults';
import { grpcCode, grpcCodeName } from './temporal-errors';
import { durationMs } from '../common/duration';
import { quoteQueryValue } from './visibility-query';

export interface TransactionContext {
  client: Client;
  taskQueue: string;
  engine?: EngineOptions;
}

/** Both transaction workflows take and return the same types; the kind picks which one. */
const workflowFor = (ref: TransactionRef): typeof signingWorkflow =>
  ref.kind === 'registered-mail' ? registeredMailWorkflow : signingWorkflow;

/**
 * The engine options one transaction needs: its own provider's settings, not every
 * provider's. What the Web UI shows as the workflow's input stays short.
 */
export function engineOptionsFor(
  provider: TransactionRef['provider'],
  engine: EngineOptions | undefined,
): EngineOptions | undefined {
  if (!engine) return undefined;
  const { providers, defaultSteps, continueAsNew, ...rest } = engine;
  const own = providers?.[provider];
  const steps = defaultSteps &&
    (defaultSteps[provider] || defaultSteps.default) && {
      [provider]: defaultSteps[provider],
      default: defaultSteps.default,
    };
  const limits = continueAsNew && Object.keys(continueAsNew).length > 0 ? continueAsNew : undefined;
  return {
    ...rest,
    ...(own && { providers: { [provider]: own } }),
    ...(steps && { defaultSteps: steps }),
    ...(limits && { continueAsNew: limits }),
  };
}

/** The Web UI's details box of a transaction: what it is, and what the application said at registration. */
function staticDetails(ref: TransactionRef, registration?: Registration): string {
  const lines = [`**${ref.provider}** ${ref.kind} \`${ref.externalId}\``];
  if (registration?.reference) lines.push(`reference: ${registration.reference}`);
  if (registration?.deadline) lines.push(`deadline: ${registration.deadline}`);
  lines.push('current status: the search attribute SigningStatus, the current details below, or the `state` query');
  return lines.join('\n\n');
}

function startOptions(
  ctx: TransactionContext,
  ref: TransactionRef,
  input: TransactionInput,
  registration?: Registration,
) {
  return {
    workflowId: workflowIdFor(ref),
    taskQueue: ctx.taskQueue,
    args: [{ ...input, options: engineOptionsFor(ref.provider, input.options), searchAttributesSet: true }] as [
      TransactionInput,
    ],
    // A closed transaction never starts a second run: callbacks after the end are late.
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: SigningProvider, value: ref.provider },
      { key: SigningExternalId, value: ref.externalId },
      { key: SigningStatus, value: input.registered ? (ref.kind === 'signing' ? 'pending' : 'sent') : 'unregistered' },
    ],
    // What the Web UI shows at the top of the workflow's page; no personal data.
    staticSummary: `${ref.provider} ${ref.kind} ${ref.externalId}`,
    staticDetails: staticDetails(ref, registration ?? input.registration),
  };
}

/**
 * Registers the application's side. Usually one round trip: the transaction's workflow is
 * started already registered, with its search attributes (the deadline included) set at
 * start. A start needs no worker, so the application can register while every worker is down
 * (an update-with-start would wait for one). Only when a callback started the workflow first
 * does a second call follow: the `register` update. Idempotent: `created` is true only for
 * the call that registered it. A transaction whose unregistered run closed on its TTL (the
 * application registered it too late) gets a fresh run, in one update-with-start, that keeps
 * that run's events and applies every callback accepted since (its late records); any other
 * closed transaction has run its course and stays closed.
 */
export async function registerTransaction(
  ctx: TransactionContext,
  ref: TransactionRef,
  registration: Registration,
): Promise<{ workflowId: string; created: boolean }> {
  const workflowId = workflowIdFor(ref);
  // The default deadline made explicit, so the Web UI can list it from the start.
  const defaultDeadline = ctx.engine?.defaultDeadline ?? DEFAULT_OPTIONS.defaultDeadline;
  const deadline = registration.deadline ?? new Date(Date.now() + durationMs(defaultDeadline)).toISOString();
  const input: TransactionInput = {
    ...ref,
    registered: true,
    registration: { ...registration, deadline },
    options: ctx.engine,
  };
  const options = startOptions(ctx, ref, input);
  try {
    await ctx.client.workflow.start(workflowFor(ref), {
      ...options,
      typedSearchAttributes: [...options.typedSearchAttributes, { key: SigningDeadline, value: new Date(deadline) }],
    });
    return { workflowId, created: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  try {
    const result = await ctx.client.workflow
      .getHandle(workflowId)
      .executeUpdate(registerUpdate, { args: [registration] });
    return { workflowId, created: result.newlyRegistered };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  // Closed: restarted only if it closed unregistered, its events carried into the new run.
  const closed = await closedResult(ctx, workflowId);
  if (closed?.status !== 'unregistered') return { workflowId, created: false };
  const late = await lateEventsFor(ctx, workflowId, ref, closed);
  const restart = new WithStartWorkflowOperation(workflowFor(ref), {
    ...startOptions(
      ctx,
      ref,
      {
        ...ref,
        registered: false,
        options: ctx.engine,
        carried: { ...closed, attention: undefined },
        ...(late.length > 0 && { lateEvents: late }),
      },
      registration,
    ),
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  const result = await ctx.client.workflow.executeUpdateWithStart(registerUpdate, {
    args: [registration],
    startWorkflowOperation: restart,
  });
  return { workflowId, created: result.newlyRegistered };
}

/**
 * Late records kept for a transaction, newest first, at most this many events in all: what a
 * restart folds in. A flood of late callbacks for one transaction cannot make its input large.
 */
export const MAX_FOLDED_LATE_EVENTS = 200;

/**
 * The events of every late record of this transaction that its closed run does not hold. Found
 * by visibility (the late records carry the transaction's provider and external id).
 */
async function lateEventsFor(
  ctx: TransactionContext,
  workflowId: string,
  ref: TransactionRef,
  closed: TransactionState,
): Promise<ProviderEvent[]> {
  const query =
    `WorkflowType = '${lateCallbackWorkflow.name}' AND SigningStatus = 'late' AND ` +
    `SigningProvider = ${quoteQueryValue(ref.provider)} AND SigningExternalId = ${quoteQueryValue(ref.externalId)}`;
  const out: ProviderEvent[] = [];
  const seen = new Set<string>();
  try {
    for await (const wf of ctx.client.workflow.list({ query, pageSize: 50 })) {
      if (!wf.workflowId.startsWith(`late:${workflowId}:`)) continue;
      const record = await lateRecord(ctx.client, wf.workflowId);
      for (const e of lateEvents(record)) {
        if (seen.has(e.key) || alreadyRecorded(closed, e.key)) continue;
        seen.add(e.key);
        out.push(e);
      }
      if (out.length >= MAX_FOLDED_LATE_EVENTS) break;
    }
  } catch (err) {
    // A server without visibility listing (the SDK's time-skipping test server) has no late
    // records to fold in; any other failure fails the registration, which the caller retries.
    if (grpcCodeName(grpcCode(err)) !== 'UNIMPLEMENTED') throw err;
  }
  // Applied in the order they were received, as the callbacks would have been.
  return out.slice(0, MAX_FOLDED_LATE_EVENTS).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
}

/**
 * A late record, read from its workflow's start event: the workflow only hands back its
 * input, so this is the same record without waiting for a worker to run it.
 */
export async function lateRecord(client: Client, lateWorkflowId: string): Promise<LateCallback> {
  const { history } = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId: lateWorkflowId },
    maximumPageSize: 1,
  });
  const started = history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new Error(`${lateWorkflowId} has no start event`);
  return decodeFromPayloadsAtIndex<LateCallback>(client.options.loadedDataConverter, 0, started.input?.payloads);
}

export type DeliveryResult = 'accepted' | 'late' | 'unknown-transaction';

/**
 * Hands a callback's events to the transaction's workflow as one signal (applied atomically,
 * named after its most significant event). Returns only once Temporal has durably accepted
 * it, so a 2xx answer never loses a callback. Throws when Temporal cannot be reached (the
 * receiver answers so the provider retries).
 */
export async function deliverEvents(
  ctx: TransactionContext,
  ref: TransactionRef,
  events: ProviderEvent[],
  opts: { mayCreate: boolean; dossierId?: string },
): Promise<DeliveryResult> {
  if (events.length === 0) return 'accepted';
  events = events.map(compactEvent);
  const workflowId = workflowIdFor(ref);
  const result = opts.mayCreate
    ? await signalWithStart(ctx, ref, events, opts.dossierId)
    : await signalExisting(ctx, workflowId, events);
  if (result === 'late') await recordLate(ctx, workflowId, ref, events);
  return result;
}

/**
 * A closed transaction got a callback. When everything in it is already on record (some providers
 * repeat every past signer activity in each callback) it is a plain duplicate; otherwise the
 * whole callback is kept as one late record, named by its content so a retry of the same
 * callback finds the same record.
 */
async function recordLate(
  ctx: TransactionContext,
  workflowId: string,
  ref: TransactionRef,
  events: ProviderEvent[],
): Promise<void> {
  const known = await closedResult(ctx, workflowId);
  // By the closed run's dedupe record, not its (trimmed) event list: a retry of any callback
  // it applied is a duplicate, however long ago.
  const fresh = known ? events.filter((e) => !alreadyRecorded(known, e.key)) : events;
  if (fresh.length === 0) return;
  const id =
    fresh.length === 1
      ? fresh[0].key
      : keyHash(
          fresh
            .map((e) => e.key)
            .sort()
            .join('\n'),
        );
  await startLateRecord(ctx, `late:${workflowId}:${id}`, {
    workflowId,
    ref,
    events: fresh,
    reason: 'transaction workflow already closed',
  });
}

/** The result of a closed transaction run: its bounded state. Undefined when it failed, was terminated or timed out. */
async function closedResult(ctx: TransactionContext, workflowId: string): Promise<TransactionState | undefined> {
  try {
    return await ctx.client.workflow.getHandle<typeof signingWorkflow>(workflowId).result();
  } catch {
    return undefined;
  }
}

/** One callback's events to the transaction's workflow, starting it `unregistered` if need be; exported for the bench's raw baseline. */
export async function signalWithStart(
  ctx: TransactionContext,
  ref: TransactionRef,
  events: ProviderEvent[],
  dossierId?: string,
) {
  try {
    const input: TransactionInput = {
      ...ref,
      registered: false,
      options: ctx.engine,
      ...(dossierId && { registration: { dossierId } }),
    };
    await ctx.client.workflow.signalWithStart<typeof signingWorkflow, [EventBatch]>(workflowFor(ref), {
      ...startOptions(ctx, ref, input),
      signal: signalFor(events),
      signalArgs: [events],
    });
    return 'accepted' as const;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'late' as const;
    throw err;
  }
}

async function signalExisting(
  ctx: TransactionContext,
  workflowId: string,
  events: ProviderEvent[],
): Promise<DeliveryResult> {
  const handle = ctx.client.workflow.getHandle(workflowId);
  try {
    await handle.signal(signalFor(events), events);
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

async function startLateRecord(ctx: TransactionContext, lateWorkflowId: string, record: LateCallback): Promise<void> {
  try {
    await ctx.client.workflow.start(lateCallbackWorkflow, {
      workflowId: lateWorkflowId,
      taskQueue: ctx.taskQueue,
      args: [record],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: SigningProvider, value: record.ref.provider },
        { key: SigningExternalId, value: record.ref.externalId },
        { key: SigningStatus, value: 'late' },
      ],
      staticSummary: `late callback for ${record.workflowId}`,
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
