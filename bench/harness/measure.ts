// One measured run of callbacks with every process's CPU around it, and the ABBA comparison
// of the receivers against raw `signalWithStart` that the ingestion part and the cluster
// column both make.
import { drainedRate, type Comparison, type Cpu, type Run } from '../results';
import { summarize } from '../stats';
import type { Load, LoadResult, Via } from './loadgen';
import { procStats } from './proc';
import { drained, settle, type Setup } from './setup';

type Say = (line: string) => void;

async function cpuNow(s: Setup): Promise<Cpu> {
  const { cpuMs, workerCpuMs } = await s.stats();
  const [temporal, database] = [procStats(s.temporal.pid)?.cpuMs, s.temporal.databaseCpuMs?.()];
  return { countersign: cpuMs, worker: workerCpuMs, temporal, database, loadgen: await s.loadgen.call('cpuMs') };
}

/** Per process, `op` of the two readings; a process either one did not measure stays unmeasured. */
function combine(a: Cpu, b: Cpu, op: (x: number, y: number) => number): Cpu {
  const out: Record<string, number | undefined> = {};
  for (const k of Object.keys(a) as Array<keyof Cpu>)
    out[k] = a[k] !== undefined && b[k] !== undefined ? op(a[k], b[k]) : undefined;
  return out as unknown as Cpu;
}

/** A run from what the load generator answered: rate over its time, percentiles over every answer. */
export function asRun(via: Via, r: LoadResult, cpu: Cpu, drain?: Run['drain']): Run {
  const ok = Object.entries(r.outcomes).reduce((n, [k, v]) => (k.startsWith('2') ? n + v : n), 0);
  const [callbacks, latency, perSec] = [r.samples.length, summarize(r.samples), (ok * 1000) / r.elapsedMs];
  const { outcomes, elapsedMs, samples } = r;
  return { via, callbacks, ok, outcomes, elapsedMs, perSec, latency, samples, cpu, drain };
}

export async function measuredRun(s: Setup, via: Via, load: Load, prefix: string, n: number, say: Say, maxMs?: number) {
  await settle(s);
  const label = `${via} ${'rate' in load ? `at ${load.rate}/s` : `closed loop x${load.concurrency}`}`;
  const before = await cpuNow(s);
  const plan = { kind: 'pairs', prefix, transactions: Math.ceil(n / 2) };
  const r = await s.loadgen.call<LoadResult>('callbacks', { via, load, plan, label, maxMs });
  const answered = performance.now();
  const atAnswer = await cpuNow(s);
  let drain: Run['drain'];
  if (r.lastWorkflowIds.length) {
    await drained(s, r.lastWorkflowIds);
    drain = { ms: performance.now() - answered, cpu: combine(await cpuNow(s), atAnswer, (x, y) => x - y) };
  }
  const run = asRun(
    via,
    r,
    combine(atAnswer, before, (x, y) => x - y),
    drain,
  );
  const drainedIn = drain ? `, drained ${(drain.ms / 1000).toFixed(1)} s later` : '';
  say(
    `${label}: ${run.perSec.toFixed(0)}/s, p99 ${run.latency.p99.toFixed(1)} ms, ${run.callbacks - run.ok} not 2xx${drainedIn}`,
  );
  return run;
}

/** Runs of one kind as one. */
export function mergeRuns(runs: Run[]): Run {
  const outcomes: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
  const elapsedMs = runs.reduce((n, r) => n + r.elapsedMs, 0);
  const samples = runs.flatMap((r) => r.samples ?? []);
  const cpu = runs.map((r) => r.cpu).reduce((a, b) => combine(a, b, (x, y) => x + y));
  const drains = runs.every((r) => r.drain) ? runs.map((r) => r.drain!) : undefined;
  const drain = drains && {
    ms: drains.reduce((n, d) => n + d.ms, 0),
    cpu: drains.map((d) => d.cpu).reduce((a, b) => combine(a, b, (x, y) => x + y)),
  };
  return asRun(runs[0].via, { outcomes, elapsedMs, samples, lastWorkflowIds: [] }, cpu, drain);
}

export function compare(receivers: Run[], raw: Run[], roundRatios: number[]): Comparison {
  const [rec, rw] = [mergeRuns(receivers), mergeRuns(raw)];
  const [dr, dw] = [drainedRate(rec), drainedRate(rw)];
  return { receivers: rec, raw: rw, ratio: rec.perSec / rw.perSec, drainedRatio: dr && dw && dr / dw, roundRatios };
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
  const run = (via: Via, k: number, n: number, maxMs?: number) =>
    measuredRun(s, via, { concurrency: o.concurrency }, `${prefix}-${via}-${k}`, n, say, maxMs);
  const a1 = await run(first, 1, o.closedCallbacks, o.closedSeconds * 1000);
  const [b1, b2, a2] = [
    await run(second, 1, a1.callbacks),
    await run(second, 2, a1.callbacks),
    await run(first, 2, a1.callbacks),
  ];
  return first === 'receivers' ? { receivers: [a1, a2], raw: [b1, b2] } : { receivers: [b1, b2], raw: [a1, a2] };
}
