// Raw HTTP for tests that must send exactly the bytes and headers they mean to.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TransactionState } from '../../src/common/types';

export interface RawRequest {
  path: string;
  headers: Record<string, string>;
  /** A Buffer is sent as is, with no content type unless the headers give one. */
  body: string | Buffer;
}

export interface RawResponse {
  status: number;
  text: string;
}

export async function send(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const res = await fetch(`${baseUrl}${req.path}`, {
    method: 'POST',
    headers: req.headers,
    body: typeof req.body === 'string' ? req.body : new Uint8Array(req.body),
  });
  return { status: res.status, text: await res.text() };
}

/** What a bad request must leave exactly as it was: the history's length and the state. */
export interface Snapshot {
  historyLength: number;
  state: TransactionState;
}

/**
 * The workflow at rest: no workflow task pending or running, so its history stops growing
 * until something new reaches it (its timers are hours away in these tests).
 */
export async function snapshot(client: Client, workflowId: string, timeoutMs = 30_000): Promise<Snapshot> {
  const handle = client.workflow.getHandle(workflowId);
  return eventually(
    async () => {
      const desc = await handle.describe();
      if (desc.raw.pendingWorkflowTask) throw new Error(`${workflowId}: a workflow task is still pending`);
      return { historyLength: desc.historyLength, state: await handle.query<TransactionState>('state') };
    },
    timeoutMs,
    50,
  );
}

export async function exists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** Polls until `check` passes or `timeoutMs` runs out, then makes it pass or throw. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
