// One measured run of callbacks with every process's CPU around it, and the ABBA comparison
// of the receivers against raw `signalWithStart` that the ingestion part and the cluster
// column both make.
import { drainedRate, type Cpu, type Comparison, type Run } from '../results';
import { summarize } from '../stats';
import type { Load, LoadResult, Via } from './loadgen';
import { procStats } from './proc';
import { drained, settle, type Setup } from './setup';

type Say = (line: string) => void;

async function cpuNow(s: Setup): Promise<Cpu> {
  const stats = await s.stats();
  return {
    countersign: stats.cpuMs,
    worker: stats.workerCpuMs,
    temporal: procStats(s.temporal.pid)?.cpuMs,
    database: s.temporal.databaseCpuMs?.(),
    loadgen: await s.loadgen.call<number>('cpuMs'),
  };
}

const cpuSince = (a: Cpu, b: Cpu): Cpu => {
  const d = (k: keyof Cpu) => (a[k] !== undefined && b[k] !== undefined ? b[k] - a[k] : undefined);
  return {
    countersign: d('countersign')!,
    worker: d('worker')!,
    temporal: d('temporal'),
    database: d('database'),
    loadgen: d('loadgen'),
  };
};

export async function measuredRun(
  s: Setup,
  via: Via,
  load: Load,
  prefix: string,
  callbacks: number,
  say: Say,
  maxMs?: number,
): Promise<Run> {
  await settle(s);
  const label = `${via} ${'rate' in load ? `at ${load.rate}/s` : `closed loop x${load.concurrency}`}`;
  const before = await cpuNow(s);
  const plan = { kind: 'pairs', prefix, transactions: Math.ceil(callbacks / 2) };
  const r = await s.loadgen.call<LoadResult>('callbacks', { via, load, plan, label, maxMs });
  const answered = performance.now();
  const atAnswer = await cpuNow(s);
  let drain: Run['drain'];
  if (r.lastWorkflowIds.length) {
    await drained(s, r.lastWorkflowIds);
    drain = { ms: performance.now() - answered, cpu: cpuSince(atAnswer, await cpuNow(s)) };
  }
  const perSec = (r.ok * 1000) / r.elapsedMs;
  say(
    `${label}: ${perSec.toFixed(0)}/s, p99 ${r.latency.p99.toFixed(1)} ms, ${r.callbacks - r.ok} not 2xx${drain ? `, drained ${(drain.ms / 1000).toFixed(1)} s later` : ''}`,
  );
  return {
    via,
    callbacks: r.callbacks,
    ok: r.ok,
    outcomes: r.outcomes,
    elapsedMs: r.elapsedMs,
    perSec,
    latency: r.latency,
    samples: r.samples,
    cpu: cpuSince(before, atAnswer),
    ...(drain && { drain }),
  };
}

const addCpu = (a: Cpu, b: Cpu): Cpu => {
  const sum = (k: keyof Cpu) => (a[k] !== undefined && b[k] !== undefined ? a[k] + b[k] : undefined);
  return {
    countersign: sum('countersign')!,
    worker: sum('worker')!,
    temporal: sum('temporal'),
    database: sum('database'),
    loadgen: sum('loadgen'),
  };
};

/** Runs of one kind as one: rates over the summed time, percentiles over every answer. */
export function mergeRuns(runs: Run[]): Run {
  const sum = (f: (r: Run) => number) => runs.reduce((n, r) => n + f(r), 0);
  const outcomes: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
  const drains = runs.map((r) => r.drain).filter((d) => d !== undefined);
  return {
    via: runs[0].via,
    callbacks: sum((r) => r.callbacks),
    ok: sum((r) => r.ok),
    outcomes,
    elapsedMs: sum((r) => r.elapsedMs),
    perSec: (sum((r) => r.ok) * 1000) / sum((r) => r.elapsedMs),
    latency: summarize(runs.flatMap((r) => r.samples ?? [])),
    samples: runs.flatMap((r) => r.samples ?? []),
    cpu: runs.map((r) => r.cpu).reduce(addCpu),
    ...(drains.length === runs.length && {
      drain: { ms: sum((r) => r.drain!.ms), cpu: drains.map((d) => d.cpu).reduce(addCpu) },
    }),
  };
}

export function compare(receivers: Run[], raw: Run[], roundRatios: number[]): Comparison {
  const [rec, rw] = [mergeRuns(receivers), mergeRuns(raw)];
  const [dr, dw] = [drainedRate(rec), drainedRate(rw)];
  return {
    receivers: rec,
    raw: rw,
    ratio: rec.perSec / rw.perSec,
    ...(dr && dw && { drainedRatio: dr / dw }),
    roundRatios,
  };
}

/** Unmeasured traffic both ways, so no measured run pays for cold code and connections. */
export async function warmUp(s: Setup, callbacks: number, concurrency: number, prefix: string): Promise<void> {
  for (const via of ['receivers', 'raw'] as const) {
    const plan = { kind: 'pairs', prefix: `${prefix}-${via}`, transactions: Math.ceil(callbacks / 2) };
    await s.loadgen.call('callbacks', { via, load: { concurrency }, label: `warm-up ${via}`, plan });
  }
}

/**
 * One closed-loop round, A B B A (A = `first`): drift weighs on both paths alike. The first
 * run is bounded by time; the three others send as many callbacks as it did.
 */
export async function closedRound(
  s: Setup,
  o: { concurrency: number; closedSeconds: number; closedCallbacks: number },
  prefix: string,
  first: Via,
  say: Say,
): Promise<{ receivers: Run[]; raw: Run[] }> {
  const second: Via = first === 'receivers' ? 'raw' : 'receivers';
  const load = { concurrency: o.concurrency };
  const a1 = await measuredRun(s, first, load, `${prefix}-${first}-1`, o.closedCallbacks, say, o.closedSeconds * 1000);
  const b1 = await measuredRun(s, second, load, `${prefix}-${second}-1`, a1.callbacks, say);
  const b2 = await measuredRun(s, second, load, `${prefix}-${second}-2`, a1.callbacks, say);
  const a2 = await measuredRun(s, first, load, `${prefix}-${first}-2`, a1.callbacks, say);
  return first === 'receivers' ? { receivers: [a1, a2], raw: [b1, b2] } : { receivers: [b1, b2], raw: [a1, a2] };
}
