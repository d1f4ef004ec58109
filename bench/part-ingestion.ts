// Parts 1 and 2, on one dev server: callbacks through the receivers against the same signals
// sent raw, then the time from a callback's 2xx until the state query shows it.
import { settle, settleServer, type Cluster } from './cluster';
import type { E2eResult, Load, LoadResult, Via } from './loadgen';
import { drained, measured, mergeRuns, warmUp } from './measure';
import type { BenchOptions } from './options';
import type { BenchResults, IngestionRun } from './results';

type Say = (line: string) => void;

/** Both sides merged, and the single runs (whose latency samples a later merge needs). */
type IngestionPair = {
  receivers: IngestionRun;
  raw: IngestionRun;
  single: { receivers: IngestionRun[]; raw: IngestionRun[] };
};

/** One measured run of callbacks, with Countersign's, the server's and the load generator's CPU around it. */
export async function measuredRun(
  a: Cluster,
  via: Via,
  load: Load,
  prefix: string,
  callbacks: number,
  say: Say,
  maxMs?: number,
): Promise<IngestionRun> {
  await settle(a);
  await settleServer(a);
  const label = `${via} ${'rate' in load ? `at ${load.rate}/s` : `closed loop x${load.concurrency}`}`;
  const lg0 = await a.loadgen.call<{ atMs: number; cpuMs: number }>('cpu');
  let answered = 0;
  const [result, countersign, temporal, database] = await measured(a, () =>
    a.loadgen
      .call<LoadResult>('callbacks', {
        via,
        load,
        label,
        maxMs,
        plan: { kind: 'pairs', prefix, transactions: Math.ceil(callbacks / 2) },
      })
      .finally(() => (answered = performance.now())),
  );
  const lg1 = await a.loadgen.call<{ atMs: number; cpuMs: number }>('cpu');
  const loadgenCpuPercent = ((lg1.cpuMs - lg0.cpuMs) / (lg1.atMs - lg0.atMs)) * 100;
  const ids = result.lastWorkflowIds ?? [];
  let drain: IngestionRun['drain'];
  if (ids.length > 0) {
    const [, use, temporalUse, databaseUse] = await measured(a, () => drained(a, ids));
    // From the last answer: the few milliseconds of readings between count too.
    drain = {
      ms: performance.now() - answered,
      countersign: use,
      ...(temporalUse && { temporal: temporalUse }),
      ...(databaseUse && { database: databaseUse }),
    };
  }
  say(
    `${label}: ${result.callbacksPerSec.toFixed(0)} callbacks/s, p50 ${result.latency.p50.toFixed(1)} ms, p99 ${result.latency.p99.toFixed(1)} ms, ${result.failed} failed${drain ? `; its workflow tasks done ${(drain.ms / 1000).toFixed(1)} s after the last answer` : ''}`,
  );
  return {
    ...result,
    countersign,
    temporal,
    ...(database && { database }),
    loadgenCpuPercent,
    ...(drain && { drain }),
  };
}

/**
 * Receivers, raw, raw, receivers (or, with `first: 'raw'`, raw, receivers, receivers, raw):
 * drift during the run (a growing database, other load on the machine) weighs on both sides
 * alike. A time limit bounds the first run; the other three send as many callbacks as it did.
 */
export async function abba(
  a: Cluster,
  load: Load,
  prefix: string,
  callbacks: number,
  say: Say,
  maxMs?: number,
  first: Via = 'receivers',
): Promise<IngestionPair> {
  const second: Via = first === 'receivers' ? 'raw' : 'receivers';
  const tag = (via: Via, n: number) => `${prefix}-${via === 'receivers' ? 'rcv' : 'raw'}-${n}`;
  const a1 = await measuredRun(a, first, load, tag(first, 1), Math.ceil(callbacks / 2), say, maxMs);
  const half = a1.callbacks;
  const b1 = await measuredRun(a, second, load, tag(second, 1), half, say);
  const b2 = await measuredRun(a, second, load, tag(second, 2), half, say);
  const a2 = await measuredRun(a, first, load, tag(first, 2), half, say);
  const [receivers, raw] =
    first === 'receivers'
      ? [
          [a1, a2],
          [b1, b2],
        ]
      : [
          [b1, b2],
          [a1, a2],
        ];
  return { receivers: mergeRuns(receivers), raw: mergeRuns(raw), single: { receivers, raw } };
}

export async function runIngestion(
  a: Cluster,
  opts: BenchOptions,
  say: Say,
): Promise<NonNullable<BenchResults['ingestion']>> {
  const run = (via: Via, load: Load, prefix: string, callbacks: number, maxMs?: number) =>
    measuredRun(a, via, load, prefix, callbacks, say, maxMs);
  say('warm-up');
  await warmUp(a, opts, 'warm');
  // Both paths at rising rates, so the report shows where the server itself stops keeping up.
  const sweep: IngestionRun[] = [];
  const sweepRaw: IngestionRun[] = [];
  for (const rate of opts.sweepRates.filter((r) => r < opts.fixedRate)) {
    const callbacks = Math.max(10, rate * opts.sweepSeconds);
    const r = await run('receivers', { rate }, `sweep-${rate}-rcv`, callbacks);
    sweep.push(mergeRuns([r]));
    sweepRaw.push(mergeRuns([await run('raw', { rate }, `sweep-${rate}-raw`, callbacks)]));
    if (r.latency.p99 >= 50) break;
  }
  const { single: _f, ...fixed } = await abba(a, { rate: opts.fixedRate }, 'fixed', opts.fixedCallbacks, say);
  const { single: _s, ...saturation } = await abba(
    a,
    { concurrency: opts.concurrency },
    'sat',
    opts.saturationCallbacks,
    say,
    (opts.saturationSeconds * 1000) / 2,
  );
  const counted = await a.stats();
  const ingestion = {
    fixed,
    saturation,
    ratio: saturation.receivers.callbacksPerSec / saturation.raw.callbacksPerSec,
    callbacksAccepted: counted.callbacksAccepted,
    callbacksRefused: counted.callbacksRefused,
    refusedByReason: counted.refusedByReason,
    sweep,
    sweepRaw,
    steadyRate: steadyRateFrom(saturation.receivers.callbacksPerSec, opts),
  };
  say(`ratio receivers/raw at saturation: ${ingestion.ratio.toFixed(2)}`);
  return ingestion;
}

/** Half the receivers' saturated rate, in tens, at most the fixed rate: a load the machine sustains. */
export function steadyRateFrom(saturatedPerSec: number, opts: BenchOptions): number {
  return Math.max(10, Math.min(opts.fixedRate, Math.round(saturatedPerSec / 20) * 10));
}

export async function runEndToEnd(
  a: Cluster,
  opts: BenchOptions,
  steadyRate: number,
  say: Say,
): Promise<NonNullable<BenchResults['e2e']>> {
  await settle(a);
  const idle = await a.loadgen.call<E2eResult>('e2e', {
    prefix: 'e2e-idle',
    samples: opts.e2eSamples,
    concurrency: opts.e2eConcurrency,
  });
  say(
    `end to end, no other load: new workflow p50 ${idle.created.p50.toFixed(1)} ms p99 ${idle.created.p99.toFixed(1)} ms; running workflow p50 ${idle.running.p50.toFixed(1)} ms p99 ${idle.running.p99.toFixed(1)} ms`,
  );
  await settle(a);
  // The same, while other callbacks arrive at a rate the machine sustains: the worker must keep up.
  const background = Math.ceil((steadyRate * opts.fixedCallbacks) / opts.fixedRate / 2);
  const [, busy] = await Promise.all([
    a.loadgen.call<LoadResult>('callbacks', {
      via: 'receivers',
      load: { rate: steadyRate },
      label: `background at ${steadyRate}/s`,
      plan: { kind: 'pairs', prefix: 'e2e-background', transactions: Math.ceil(background / 2) },
    }),
    a.loadgen.call<E2eResult>('e2e', {
      prefix: 'e2e-busy',
      samples: 100_000,
      concurrency: opts.e2eConcurrency,
      maxMs: (background / steadyRate) * 1000,
    }),
  ]);
  say(
    `end to end at ${steadyRate}/s: new workflow p50 ${busy.created.p50.toFixed(1)} ms p99 ${busy.created.p99.toFixed(1)} ms; running workflow p50 ${busy.running.p50.toFixed(1)} ms p99 ${busy.running.p99.toFixed(1)} ms`,
  );
  return { idle, busy };
}
