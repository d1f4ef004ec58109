// Visibility on a real cluster is asynchronous (and rate-limited, 10 calls/s per namespace by
// default): a workflow started a moment ago may not be listed yet. Tests wait for what they
// expect, gently, instead of reading once.
import type { Client } from '@temporalio/client';

/** Ids of workflows matching `query`, once at least `atLeast` are listed (or the time is up). */
export async function listedIds(client: Client, query: string, atLeast = 1, timeoutMs = 30_000): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ids: string[] = [];
    for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
    if (ids.length >= atLeast || Date.now() > until) return ids;
    await new Promise((r) => setTimeout(r, 500));
  }
}
