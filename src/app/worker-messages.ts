// What `npm start`'s worker process tells its parent over the IPC channel: the parent owns
// /metrics and the logs an operator watches, and restarts the worker when it dies.
import type { FollowUpMethod, FollowUpOutcome } from '../platform/metrics';

export type WorkerMessage =
  | { type: 'ready'; userActivities: string[] }
  /** Startup failed; the message names the cause (a bad activities module, ...). */
  | { type: 'fatal'; message: string }
  | { type: 'follow-up'; labels: { provider: string; method: FollowUpMethod; outcome: FollowUpOutcome } }
  | { type: 'workflow-task-failed'; workflowType: string };

export function isWorkerMessage(m: unknown): m is WorkerMessage {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}
