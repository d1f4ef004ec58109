// The issue's goals, each beside what this run measured; a part that did not run is "not measured".
import type { BenchResults } from './results';

type Goal = BenchResults['goals'][number];

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;

function notMeasured(goal: string, part: string, r: BenchResults): Goal {
  const failure = r.failures.find((f) => f.part === part);
  return {
    goal,
    measured: failure ? `not measured: ${part} failed (${failure.error})` : `not measured: ${part} was not run`,
    met: null,
  };
}

export function goals(r: BenchResults, opts: { fixedRate: number; cacheSize: number; cpus: number }): Goal[] {
  const ratioGoal = 'receivers ≥ 0.90 × raw signal rate (closed loop)';
  const p99Goal = `p99 answer < 50 ms at ${opts.fixedRate} callbacks/s on ${opts.cpus} cores`;
  const memoryGoal = `worker memory bounded by the cache (maxCachedWorkflows ${opts.cacheSize}), not by open transactions`;
  const timersGoal = 'every open transaction’s timer fires';
  const out: Goal[] = [];
  const i = r.ingestion;
  if (i) {
    const p99 = i.fixed.receivers.latency.p99;
    const underGoal = i.sweep.filter((s) => s.latency.p99 < 50).map((s) => (s.load as { rate: number }).rate);
    const rawUnderGoal = i.sweepRaw.filter((s) => s.latency.p99 < 50).map((s) => (s.load as { rate: number }).rate);
    const upTo = (rates: number[]) =>
      rates.length ? `up to ${Math.max(...rates)} callbacks/s` : 'at none of the rates tried';
    out.push(
      {
        goal: ratioGoal,
        // Three decimals here: the report's `ratio:` line rounds to two, which can read 0.90 for 0.898.
        measured: `${i.ratio.toFixed(3)} × (${i.saturation.receivers.callbacksPerSec.toFixed(0)} vs ${i.saturation.raw.callbacksPerSec.toFixed(0)} callbacks/s)`,
        met: i.ratio >= 0.9,
      },
      {
        goal: p99Goal,
        measured:
          `${p99.toFixed(1)} ms (p50 ${i.fixed.receivers.latency.p50.toFixed(1)} ms; raw signalWithStart ${i.fixed.raw.latency.p99.toFixed(1)} ms); p99 < 50 ms held ${upTo(underGoal)} through the receivers, ${upTo(rawUnderGoal)} raw` +
          (i.fixed.raw.latency.p99 >= 50
            ? '. Raw signals miss it too: the Temporal server is the limit here, not the receivers'
            : ''),
        met: p99 < 50,
      },
    );
  } else {
    out.push(notMeasured(ratioGoal, 'ingestion', r), notMeasured(p99Goal, 'ingestion', r));
  }
  for (const c of r.clusters?.columns ?? []) {
    out.push({
      goal: `receivers ≥ 0.90 × raw signal rate on the ${c.name} (cluster column)`,
      measured: `${c.ratio.toFixed(3)} × (${c.receivers.callbacksPerSec.toFixed(0)} vs ${c.raw.callbacksPerSec.toFixed(0)} callbacks/s)${c.drainedRatio !== undefined ? `, ${c.drainedRatio.toFixed(3)} × with each run timed until its workflow tasks were done` : ''}; receivers path ${c.beyondWorkerCpuMs.toFixed(2)} ms CPU per callback beyond the worker's`,
      // Judged on the answer rate, as part 1 is; the drained ratio is shown beside it.
      met: c.ratio >= 0.9,
    });
  }
  if (!r.clusters && r.meta.options.parts?.includes('clusters'))
    out.push(notMeasured('receivers ≥ 0.90 × raw signal rate on the dev server and the native cluster', 'clusters', r));
  const s = r.scale;
  // From the first step that found the cache already full at the step before: the step where
  // it fills still carries the filling (it filled at some point between the two readings).
  const isFull = (g: { numCachedWorkflows: number } | undefined) =>
    g !== undefined && g.numCachedWorkflows >= opts.cacheSize * 0.95;
  const full = r.growth.find((g, k) => isFull(g) && isFull(r.growth[k - 1]));
  const last = r.growth[r.growth.length - 1];
  if (s && full && last && last.open > full.open) {
    const perCached = s.memoryPerCachedWorkflowBytes;
    // Bounded: once the cache is full, each further open transaction costs a small fraction of
    // what a cached one does (an unbounded worker would keep growing by the latter).
    const perOpenAfterFull = (last.rssBytes - full.rssBytes) / (last.open - full.open);
    out.push({
      goal: memoryGoal,
      measured: `${kb(perCached)} per cached workflow until the cache filled; with it full, ${kb(perOpenAfterFull)} per further open transaction (${mb(full.rssBytes)} at ${full.open} open → ${mb(last.rssBytes)} at ${last.open}, cache ${last.numCachedWorkflows}); unbounded would be ≈ ${mb(s.baselineRssBytes + perCached * last.open)}`,
      met: Number.isFinite(perCached)
        ? last.numCachedWorkflows <= opts.cacheSize && perOpenAfterFull < perCached * 0.1
        : null,
    });
  } else if (s) {
    out.push({ goal: memoryGoal, measured: 'the cache was not full at two steps in a row', met: null });
  } else {
    out.push(notMeasured(memoryGoal, 'scale', r));
  }
  out.push(
    s
      ? {
          goal: timersGoal,
          measured: `${s.timers.expired} of ${s.timers.expected} expired`,
          met: s.timers.expired === s.timers.expected,
        }
      : notMeasured(timersGoal, 'scale', r),
  );
  return out;
}
