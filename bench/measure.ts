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

export function resourceUse(before: SutStats, after: SutStats): ResourceUse {
  const wallMs = after.atMs - before.atMs;
  const cpu = after.cpuUserMs + after.cpuSystemMs - before.cpuUserMs - before.cpuSystemMs;
  return { wallMs, cpuPercent: (cpu / wallMs) * 100, rssBytes: after.rssBytes, peakRssBytes: after.peakRssBytes };
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
    ...(runs.every((r) => r.loadgenCpuPercent !== undefined) && {
      loadgenCpuPercent: runs.reduce((x, r) => x + r.loadgenCpuPercent! * r.elapsedMs, 0) / elapsedMs,
    }),
  };
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
