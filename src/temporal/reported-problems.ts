// Stuck workflows as the Temporal server itself reports them (server 1.28+): after a few
// consecutive failed or timed-out workflow tasks it sets the `TemporalReportedProblems`
// search attribute (`category=WorkflowTaskFailed`, `cause=...`) and clears it once a task
// succeeds. One visibility query then answers for the whole cluster, whatever worker failed,
// where parsing our own worker's log lines saw only that worker. Older servers lack the
// attribute; their workers keep the log-parsing fallback (workflow-task-failures.ts).
import type { Client } from '@temporalio/client';
import { Gauge, type Registry } from 'prom-client';
import { grpcCode } from './temporal-errors';

export const REPORTED_PROBLEMS = 'TemporalReportedProblems';
const STUCK = `${REPORTED_PROBLEMS} IS NOT NULL AND ExecutionStatus = "Running"`;
const INVALID_ARGUMENT = 3;

export interface ReportedProblem {
  workflowId: string;
  runId: string;
  workflowType: string;
  /** `WorkflowTaskFailed` or `WorkflowTaskTimedOut`. */
  category: string;
  /** The server's cause, e.g. `WorkflowTaskFailedCauseWorkflowWorkerUnhandledFailure`; empty for timeouts. */
  cause: string;
  startTime: string;
}

/** False when the server does not know the attribute (before 1.28): the query is refused as invalid. */
export async function serverReportsProblems(client: Client): Promise<boolean> {
  try {
    await client.workflow.count(STUCK);
    return true;
  } catch (err) {
    if (grpcCode(err) === INVALID_ARGUMENT) return false;
    throw err;
  }
}

const part = (values: string[], key: string) =>
  values.find((v) => v.startsWith(`${key}=`))?.slice(key.length + 1) ?? '';

/** Running workflows the server reports stuck, newest first. */
export async function listReportedProblems(client: Client, limit = 100): Promise<ReportedProblem[]> {
  const found: ReportedProblem[] = [];
  for await (const wf of client.workflow.list({ query: STUCK, pageSize: Math.min(limit, 1000) })) {
    const values = (wf.searchAttributes?.[REPORTED_PROBLEMS] ?? []) as string[];
    found.push({
      workflowId: wf.workflowId,
      runId: wf.runId,
      workflowType: wf.type,
      category: part(values, 'category'),
      cause: part(values, 'cause'),
      startTime: wf.startTime.toISOString(),
    });
    if (found.length >= limit) break;
  }
  return found;
}

/**
 * `countersign_workflows_with_reported_problems{workflow_type, category}`, read from
 * visibility when scraped (at most once per `cacheMs`). Every process serving /metrics reports
 * the same cluster-wide number: dashboards take the max. Absent on a server without the attribute.
 */
export function registerReportedProblemsGauge(registry: Registry, client: Client, cacheMs = 15_000): void {
  if (registry.getSingleMetric('countersign_workflows_with_reported_problems')) return;
  let supported: boolean | undefined;
  let last: { at: number; counts: Map<string, number> } | undefined;
  const read = async () => {
    supported ??= await serverReportsProblems(client);
    if (!supported) return undefined;
    if (last && Date.now() - last.at < cacheMs) return last.counts;
    const counts = new Map<string, number>();
    for (const p of await listReportedProblems(client, 10_000)) {
      const key = `${p.workflowType}\u0000${p.category}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    last = { at: Date.now(), counts };
    return counts;
  };
  new Gauge({
    name: 'countersign_workflows_with_reported_problems',
    help: 'Running workflows the Temporal server reports stuck (TemporalReportedProblems: consecutive failed or timed-out workflow tasks), by workflow type and category',
    labelNames: ['workflow_type', 'category'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      // An unreachable Temporal must not fail the whole scrape: the gauge is left out.
      const counts = await read().catch(() => undefined);
      for (const [key, n] of counts ?? []) {
        const [workflowType, category] = key.split('\u0000');
        this.set({ workflow_type: workflowType, category }, n);
      }
    },
  });
}
