// What operators do with transactions: list, inspect, nudge, and handle late callbacks.
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import {
  decideHeldFinalUpdate,
  followUpNowSignal,
  retryFailedStepsUpdate,
  signalFor,
  type EventBatch,
} from '../common/messages';
import { SigningExternalId, SigningProvider, SigningStatus } from '../common/search-attributes';
import type {
  FollowUpNow,
  HeldDecision,
  TransactionInput,
  TransactionRef,
  TransactionState,
  TransactionStatus,
} from '../common/types';
import { lateEvents } from '../workflows/late-callback';
import { engineOptionsFor, lateRecord, type TransactionContext } from './transactions';
import { signingWorkflow, lateCallbackWorkflow } from '../workflows';

export interface ListedWorkflow {
  workflowId: string;
  type: string;
  status: string;
  signingStatus?: string;
  startTime: string;
  closeTime?: string;
}

/** Transactions (or late callbacks) matching a visibility query, newest first. */
export async function listWorkflows(client: Client, query: string, limit = 50): Promise<ListedWorkflow[]> {
  const out: ListedWorkflow[] = [];
  for await (const wf of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
    out.push({
      workflowId: wf.workflowId,
      type: wf.type,
      status: wf.status.name,
      signingStatus: wf.typedSearchAttributes.get(SigningStatus),
      startTime: wf.startTime.toISOString(),
      closeTime: wf.closeTime?.toISOString(),
    });
    if (out.length >= limit) break;
  }
  return out;
}

export const LATE_QUERY = `WorkflowType = '${lateCallbackWorkflow.name}'`;

/** Asks a running transaction to poll or re-notify now. */
export async function followUpNow(client: Client, workflowId: string, mode?: FollowUpNow['mode']): Promise<void> {
  await client.workflow.getHandle(workflowId).signal(followUpNowSignal, mode ? { mode } : undefined);
}

/** The late callback's record (see lateRecord). */
export const getLate = lateRecord;

/**
 * A second run of a closed transaction, started only because an operator asked (`late
 * apply`, `retry-steps`): the same search attributes and engine options as any other run.
 */
function closedRestart(
  ctx: TransactionContext,
  workflowId: string,
  ref: TransactionRef,
  status: TransactionStatus,
  input: TransactionInput,
) {
  return {
    workflowId,
    taskQueue: ctx.taskQueue,
    args: [{ ...input, options: engineOptionsFor(ref.provider, ctx.engine), searchAttributesSet: true }] as [
      TransactionInput,
    ],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    typedSearchAttributes: [
      { key: SigningProvider, value: ref.provider },
      { key: SigningExternalId, value: ref.externalId },
      { key: SigningStatus, value: status },
    ],
    staticSummary: `${ref.provider} ${ref.kind} ${ref.externalId}`,
  };
}

/**
 * Applies a late callback by hand: the operator decided it matters, so the transaction gets
 * a new run that carries the closed run's state and then receives the late events like any
 * other callback (a final status still never goes back). The run starts with the same search
 * attributes and engine options as any other. If the transaction is running again already,
 * the events are simply signalled to it.
 */
export async function applyLate(
  ctx: TransactionContext,
  lateWorkflowId: string,
): Promise<{ workflowId: string; newRun: boolean }> {
  const late = await getLate(ctx.client, lateWorkflowId);
  const events = lateEvents(late);
  const handle = ctx.client.workflow.getHandle(late.workflowId);
  const desc = await handle.describe();
  if (desc.status.name === 'RUNNING') {
    await handle.signal(signalFor(events), events);
    return { workflowId: late.workflowId, newRun: false };
  }
  const closed = (await handle.result().catch(() => undefined)) as TransactionState | undefined;
  await ctx.client.workflow.signalWithStart<typeof signingWorkflow, [EventBatch]>(desc.type, {
    ...closedRestart(ctx, late.workflowId, late.ref, closed?.status ?? 'pending', {
      ...late.ref,
      registered: closed?.registered ?? true,
      ...(closed && { carried: { ...closed, attention: undefined } }),
    }),
    signal: signalFor(events),
    signalArgs: [events],
  });
  return { workflowId: late.workflowId, newRun: true };
}

/**
 * Settles a final status held for the provider's confirmation: accepted, it applies (steps
 * and all); rejected, the transaction waits for the provider again. The workflow's validator
 * refuses it when nothing is held, before anything reaches history.
 */
export async function decideHeldFinal(
  client: Client,
  workflowId: string,
  decision: HeldDecision,
): Promise<{ status: TransactionStatus }> {
  return client.workflow.getHandle(workflowId).executeUpdate(decideHeldFinalUpdate, { args: [decision] });
}

/**
 * Runs the post-signing steps that failed for good once more. A transaction still open (it
 * lingers after its steps) runs them in place; a closed one gets a new run that carries its
 * state, runs only those steps and closes again.
 */
export async function retryFailedSteps(
  ctx: TransactionContext,
  workflowId: string,
): Promise<{ retrying: string[]; newRun: boolean }> {
  const handle = ctx.client.workflow.getHandle<(input: TransactionInput) => Promise<TransactionState>>(workflowId);
  const desc = await handle.describe();
  if (desc.status.name === 'RUNNING') {
    const { retrying } = await handle.executeUpdate(retryFailedStepsUpdate);
    return { retrying, newRun: false };
  }
  const closed = await handle.result().catch(() => undefined);
  const retrying = (closed?.steps ?? []).filter((s) => s.status === 'failed').map((s) => s.name);
  if (!closed || retrying.length === 0) return { retrying: [], newRun: false };
  const carried: TransactionState = {
    ...closed,
    steps: closed.steps?.filter((s) => s.status !== 'failed'),
    // A new run lists CountersignAttention afresh (search attributes do not carry over).
    attention: undefined,
  };
  const ref = { provider: closed.provider, kind: closed.kind, externalId: closed.externalId };
  await ctx.client.workflow.start(
    desc.type,
    closedRestart(ctx, workflowId, ref, closed.status, {
      ...ref,
      registered: true,
      carried,
      loop: { phase: 'steps', wait: 0, attempt: 0, silenceSince: Date.now() },
    }),
  );
  return { retrying, newRun: true };
}
