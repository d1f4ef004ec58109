// What operators do with transactions: list, inspect, nudge, and handle late callbacks.
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { Client } from '@temporalio/client';
import { followUpNowSignal, signalFor, type EventBatch } from '../common/messages';
import { SigningExternalId, SigningProvider, SigningStatus } from '../common/search-attributes';
import type { FollowUpNow, TransactionInput, TransactionState } from '../common/types';
import { lateEvents, type LateCallback } from '../workflows/late-callback';
import { engineOptionsFor, type TransactionContext } from './transactions';
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

/**
 * The late callback's record, read from its workflow's start event: the workflow only hands
 * back its input, so this is the same record without waiting for a worker to run it (a
 * listing must not hang on one that is still running, e.g. while no worker polls).
 */
export async function getLate(client: Client, lateWorkflowId: string): Promise<LateCallback> {
  const { history } = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId: lateWorkflowId },
    maximumPageSize: 1,
  });
  const started = history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new Error(`${lateWorkflowId} has no start event`);
  return decodeFromPayloadsAtIndex<LateCallback>(client.options.loadedDataConverter, 0, started.input?.payloads);
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
  const input: TransactionInput = {
    ...late.ref,
    registered: closed?.registered ?? true,
    options: engineOptionsFor(late.ref.provider, ctx.engine),
    searchAttributesSet: true,
    ...(closed && { carried: closed }),
  };
  await ctx.client.workflow.signalWithStart<typeof signingWorkflow, [EventBatch]>(desc.type, {
    workflowId: late.workflowId,
    taskQueue: ctx.taskQueue,
    args: [input],
    // The one place a closed transaction gets a second run: an operator asked for it.
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    typedSearchAttributes: [
      { key: SigningProvider, value: late.ref.provider },
      { key: SigningExternalId, value: late.ref.externalId },
      { key: SigningStatus, value: closed?.status ?? 'pending' },
    ],
    staticSummary: `${late.ref.provider} ${late.ref.kind} ${late.ref.externalId}`,
    signal: signalFor(events),
    signalArgs: [events],
  });
  return { workflowId: late.workflowId, newRun: true };
}
