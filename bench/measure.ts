// Measuring around a run: CPU and memory of Countersign and of the Temporal server, merging
// runs of one kind, and the unmeasured warm-up before them.
import type { Cluster } from './cluster';
import type { LoadResult } from './loadgen';
import type { BenchOptions } from './options';
import { procStats } from './proc';
import type { IngestionRun, ResourceUse } from './results';
import { summarize } from './stats';
import type { SutStats } from './sut';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU time so far of Countersign: its HTTP app's process, and its worker's when that has one. */
export const sutCpuMs = (s: SutStats) => s.cpuUserMs + s.cpuSystemMs + s.workerProcessCpuMs;

export function resourceUse(before: SutStats, after: SutStats): ResourceUse {
  const wallMs = after.atMs - before.atMs;
  const worker = after.workerProcessCpuMs - before.workerProcessCpuMs;
  return {
    wallMs,
    cpuPercent: ((sutCpuMs(after) - sutCpuMs(before)) / wallMs) * 100,
    // The worker process's memory joins its parent's: together they are what `npm start` holds.
    rssBytes: after.rssBytes + after.workerProcessRssBytes,
    peakRssBytes: after.peakRssBytes + after.workerProcessRssBytes,
    ...(after.workerProcessRssBytes > 0 && { workerProcessCpuPercent: (worker / wallMs) * 100 }),
  };
}

function mergeUse(uses: ResourceUse[]): ResourceUse {
  const wallMs = uses.reduce((x, u) => x + u.wallMs, 0);
  return {
    wallMs,
    cpuPercent: uses.reduce((x, u) => x + u.cpuPercent * u.wallMs, 0) / wallMs,
    rssBytes: uses[uses.length - 1].rssBytes,
    ...(uses.some((u) => u.peakRssBytes !== undefined) && {
      peakRssBytes: Math.max(...uses.map((u) => u.peakRssBytes ?? 0)),
    }),
    ...(uses.every((u) => u.workerProcessCpuPercent !== undefined) && {
      workerProcessCpuPercent: uses.reduce((x, u) => x + u.workerProcessCpuPercent! * u.wallMs, 0) / wallMs,
    }),
  };
}

/** Several runs of one kind as one: totals, rates over the summed time, percentiles over all samples. */
export function mergeRuns(runs: IngestionRun[]): IngestionRun {
  const sum = (f: (r: IngestionRun) => number) => runs.reduce((x, r) => x + f(r), 0);
  const elapsedMs = sum((r) => r.elapsedMs);
  const ok = sum((r) => r.ok);
  const callbacks = sum((r) => r.callbacks);
  const outcomes: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
  const lags = runs.map((r) => r.maxSendLagMs).filter((v): v is number => v !== undefined);
  const temporal = runs.map((r) => r.temporal).filter((u): u is ResourceUse => u !== undefined);
  return {
    via: runs[0].via,
    load: runs[0].load,
    callbacks,
    signals: sum((r) => r.signals),
    ok,
    failed: callbacks - ok,
    outcomes,
    elapsedMs,
    callbacksPerSec: (ok * 1000) / elapsedMs,
    signalsPerSec: sum((r) => (r.signalsPerSec * r.elapsedMs) / 1000) / (elapsedMs / 1000),
    latency: summarize(runs.flatMap((r) => r.samples ?? [])),
    ...(lags.length && { maxSendLagMs: Math.max(...lags) }),
    runs: runs.length,
    countersign: mergeUse(runs.map((r) => r.countersign)),
    ...(temporal.length === runs.length && { temporal: mergeUse(temporal) }),
    ...(runs.every((r) => r.database) && { database: mergeUse(runs.map((r) => r.database!)) }),
    ...(runs.every((r) => r.drain) && {
      drain: {
        ms: sum((r) => r.drain!.ms),
        countersign: mergeUse(runs.map((r) => r.drain!.countersign)),
        ...(runs.every((r) => r.drain!.temporal) && { temporal: mergeUse(runs.map((r) => r.drain!.temporal!)) }),
        ...(runs.every((r) => r.drain!.database) && { database: mergeUse(runs.map((r) => r.drain!.database!)) }),
      },
    }),
    ...(runs.every((r) => r.loadgenCpuPercent !== undefined) && {
      loadgenCpuPercent: runs.reduce((x, r) => x + r.loadgenCpuPercent! * r.elapsedMs, 0) / elapsedMs,
    }),
  };
}

/** Callbacks per second until the run's workflow tasks were done; undefined when not drained. */
export const drainedRate = (run: IngestionRun): number | undefined =>
  run.drain ? (run.ok * 1000) / (run.elapsedMs + run.drain.ms) : undefined;

/** Receivers over raw, each timed until its workflow tasks were done; undefined unless both were drained. */
export function drainedRatio(receivers: IngestionRun, raw: IngestionRun): number | undefined {
  const [r, w] = [drainedRate(receivers), drainedRate(raw)];
  return r !== undefined && w !== undefined ? r / w : undefined;
}

/** CPU ms per callback answered 2xx over the run and its drain: Countersign, Temporal and its database. */
/** A process's CPU time over what was measured, ms; 0 when it was not measured. */
export const cpuMs = (u: ResourceUse | undefined): number => (u ? (u.cpuPercent / 100) * u.wallMs : 0);

/** CPU time per callback answered 2xx, in ms; NaN when not measured. */
export function cpuPerCallback(u: ResourceUse | undefined, run: IngestionRun): number {
  return u ? cpuMs(u) / Math.max(1, run.ok) : NaN;
}

export function systemCpuPerCallback(run: IngestionRun): number | undefined {
  const uses = [
    run.countersign,
    run.temporal,
    run.database,
    run.drain?.countersign,
    run.drain?.temporal,
    run.drain?.database,
  ];
  if (!run.drain || !run.temporal) return undefined;
  const ms = uses.reduce((x, u) => x + cpuMs(u), 0);
  return ms / Math.max(1, run.ok);
}

/**
 * CPU per callback of every process the run measured, during the run: Countersign, the Temporal
 * server, its database and the load generator. When they saturate the cores, the two paths'
 * rates go nearly as the inverse of this, so raw's over the receivers' predicts their ratio.
 */
export function runCpuPerCallback(run: IngestionRun): number | undefined {
  if (run.loadgenCpuPercent === undefined || !run.temporal) return undefined;
  const processes = cpuMs(run.countersign) + cpuMs(run.temporal) + cpuMs(run.database);
  return (processes + (run.loadgenCpuPercent / 100) * run.elapsedMs) / Math.max(1, run.ok);
}

/** Unmeasured traffic both ways, so the first measured run does not pay for cold code and connections. */
export async function warmUp(cluster: Cluster, opts: BenchOptions, prefix: string): Promise<void> {
  if (opts.warmupCallbacks <= 0) return;
  for (const via of ['receivers', 'raw'] as const) {
    await cluster.loadgen.call<LoadResult>('callbacks', {
      via,
      load: { concurrency: opts.concurrency },
      label: `warm-up ${via}`,
      plan: { kind: 'pairs', prefix: `${prefix}-${via}`, transactions: Math.ceil(opts.warmupCallbacks / 2) },
    });
  }
}

/**
 * How long after a run its workflow tasks are all done: until none of the workflows its last
 * accepted callbacks went to has a workflow task pending. A saturated server may hand tasks to
 * the worker well after the answers (the native cluster defers them while its frontend is
 * busy), so a run's answer rate alone can leave out work the run caused.
 */
export async function drained(cluster: Cluster, workflowIds: string[], maxMs = 120_000): Promise<number> {
  const t0 = performance.now();
  const pending = (workflowId: string) =>
    cluster.client.workflowService
      .describeWorkflowExecution({ namespace: cluster.namespace, execution: { workflowId } })
      .then(
        (d) => !!d.pendingWorkflowTask,
        () => false,
      );
  while (performance.now() - t0 < maxMs) {
    if (!(await Promise.all(workflowIds.map(pending))).some(Boolean)) break;
    // Often enough to time a drain of a second or two, rarely enough to add no load of note.
    await sleep(200);
  }
  return performance.now() - t0;
}

/** Measures the Temporal server process around `fn` (Linux /proc; absent elsewhere). */
export async function measured<T>(
  cluster: Cluster,
  fn: () => Promise<T>,
): Promise<[T, ResourceUse, ResourceUse | undefined, ResourceUse | undefined]> {
  await cluster.sut.call('resetPeak');
  const before = await cluster.stats();
  const serverBefore = procStats(cluster.dev.pid);
  const dbBefore = cluster.databaseCpuMs?.();
  const t0 = performance.now();
  const result = await fn();
  const wallMs = performance.now() - t0;
  const after = await cluster.stats();
  const serverAfter = procStats(cluster.dev.pid);
  const dbAfter = cluster.databaseCpuMs?.();
  const temporal =
    serverBefore && serverAfter
      ? {
          wallMs,
          cpuPercent: ((serverAfter.cpuMs - serverBefore.cpuMs) / wallMs) * 100,
          rssBytes: serverAfter.rssBytes,
        }
      : undefined;
  // The cluster's PostgreSQL, beside its Temporal server (the dev server's SQLite is in-process).
  const database =
    dbBefore !== undefined && dbAfter !== undefined
      ? { wallMs, cpuPercent: ((dbAfter - dbBefore) / wallMs) * 100, rssBytes: 0 }
      : undefined;
  return [result, resourceUse(before, after), temporal, database];
}
