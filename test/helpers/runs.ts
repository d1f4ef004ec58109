// Every run of a workflow id (continue-as-new chains), newest first, with its history.
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

export interface RunHistory {
  runId: string;
  events: temporal.api.history.v1.IHistoryEvent[];
  bytes: number;
}

/** Follows `continuedExecutionRunId` from the latest run back to the first. */
export async function allRuns(client: Client, workflowId: string): Promise<RunHistory[]> {
  const runs: RunHistory[] = [];
  let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const events = await historyOf(client, workflowId, runId);
    runs.push({ runId, events, bytes: events.reduce((n, e) => n + JSON.stringify(e).length, 0) });
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
  }
  return runs;
}

/**
 * A run's history in small pages: a run near its byte threshold (plus the callbacks that
 * arrived while it handed over) does not fit the client's 4 MiB message limit in one piece.
 */
async function historyOf(
  client: Client,
  workflowId: string,
  runId: string,
): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  try {
    return await pagedHistory(client, workflowId, runId, 200);
  } catch (err) {
    // RESOURCE_EXHAUSTED: the server's pages are not bounded in bytes; one event per page is.
    if ((err as { code?: number }).code !== 8) throw err;
    return pagedHistory(client, workflowId, runId, 1);
  }
}

async function pagedHistory(
  client: Client,
  workflowId: string,
  runId: string,
  pageSize: number,
): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId, runId },
      maximumPageSize: pageSize,
      nextPageToken,
    });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return events;
}

/** Runs `task` over `items` with at most `concurrency` at a time. */
export async function inParallel<T>(
  items: T[],
  concurrency: number,
  task: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await task(items[i], i);
    }
  });
  await Promise.all(lanes);
}
