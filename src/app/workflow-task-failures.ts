// Failed workflow tasks, seen where the SDK reports them: the native core logs "Failing
// workflow task" (with the run id) whatever the cause: an error thrown by workflow code,
// non-determinism, a command Temporal refused. Such a workflow is stuck, retried every few
// seconds, until a fix is deployed; an operator must hear of it with the workflow's id.
import type { Client } from '@temporalio/client';
import type { LogEntry } from '@temporalio/worker';
import type { Logger } from '../platform/logger';

export interface WorkflowTaskFailure {
  runId: string;
  /** Undefined when visibility could not name the run (yet). */
  workflowId?: string;
  workflowType: string;
  /** The failure's first line, cut short (a stack trace or payload never goes to the logs). */
  cause: string;
}

/** The run id and cause of a core log entry that reports a failed workflow task. */
export function failedWorkflowTask(entry: LogEntry): { runId: string; cause: string } | undefined {
  if (!/^Failing workflow task/.test(entry.message)) return undefined;
  const runId: unknown = entry.meta?.runId ?? entry.meta?.run_id;
  if (typeof runId !== 'string') return undefined;
  const failure = String(entry.meta?.failure ?? '');
  const message = /message: "((?:[^"\\]|\\.)*)"/.exec(failure)?.[1] ?? failure;
  return { runId, cause: message.split('\\n')[0].slice(0, 200) };
}

export interface WatchOptions {
  client: Client;
  logger: Logger;
  /** Counts one failure (the process's `countersign_workflow_task_failures_total`). */
  count(workflowType: string): void;
  /** Retries of the visibility lookup, for a run started a moment ago. */
  lookupAttempts?: number;
}

/**
 * Returns the runtime's log hook: each failed workflow task is counted by workflow type and
 * logged with the workflow id, looked up once per run in visibility.
 */
export function watchWorkflowTaskFailures(opts: WatchOptions): (entry: LogEntry) => void {
  const known = new Map<string, Promise<{ workflowId?: string; workflowType: string }>>();
  const lookup = async (runId: string) => {
    for (let attempt = 1; attempt <= (opts.lookupAttempts ?? 5); attempt++) {
      try {
        for await (const wf of opts.client.workflow.list({ query: `RunId = "${runId}"` }))
          return { workflowId: wf.workflowId, workflowType: wf.type };
      } catch {
        // Visibility unreachable: try again, then report what we have.
      }
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
    return { workflowType: 'unknown' };
  };
  return (entry) => {
    const failed = failedWorkflowTask(entry);
    if (!failed) return;
    let ids = known.get(failed.runId);
    if (!ids) {
      ids = lookup(failed.runId);
      known.set(failed.runId, ids);
      // A stuck run fails again every few seconds; a few hundred runs remembered is plenty.
      if (known.size > 500) known.delete(known.keys().next().value!);
    }
    void ids.then((found) => {
      if (!found.workflowId) known.delete(failed.runId);
      const failure: WorkflowTaskFailure = { runId: failed.runId, ...found, cause: failed.cause };
      opts.count(failure.workflowType);
      opts.logger.error(failure, 'workflow task failed');
    });
  };
}
