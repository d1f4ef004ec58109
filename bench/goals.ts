// The benchmark's goals, one row each: what is measured, the bound, and how it compares. The
// report judges every row against the results it renders, so re-rendering old results judges
// them by today's table.
import type { BenchResults, PartName } from './results';

export interface Goal {
  metric: string;
  threshold: number;
  comparator: '>=' | '<=' | '<';
  unit: string;
  part: PartName;
  /** The measured value, undefined when the run could not give it. */
  read: (r: BenchResults) => number | undefined;
}

const column = (r: BenchResults, name: string) => r.parts.cluster?.columns.find((c) => c.name === name);

/**
 * Memory per further open transaction once the cache is full, over memory per cached
 * workflow: bounded by the cache means the former is a small fraction of the latter. Needs
 * two steps that both found the cache full (the step where it fills still carries filling).
 */
export function memoryShare(r: BenchResults): number | undefined {
  const s = r.parts.scale;
  if (!s) return undefined;
  const full = (i: number) => i >= 0 && s.steps[i].cachedWorkflows >= s.cacheSize * 0.95;
  const first = s.steps.findIndex((_, i) => full(i) && full(i - 1));
  const last = s.steps[s.steps.length - 1];
  const fill = s.steps.find((_, i) => full(i));
  if (first < 0 || !fill || last.open <= s.steps[first].open) return undefined;
  const perCached = (fill.rssBytes - s.baseline.rssBytes) / (fill.cachedWorkflows - s.baseline.cachedWorkflows);
  const perOpen = (last.rssBytes - s.steps[first].rssBytes) / (last.open - s.steps[first].open);
  return perCached > 0 ? perOpen / perCached : undefined;
}

export const GOALS: Goal[] = [
  {
    metric: 'receivers / raw `signalWithStart`, callbacks/s in the closed loop',
    threshold: 0.9,
    comparator: '>=',
    unit: '×',
    part: 'ingestion',
    read: (r) => r.parts.ingestion?.closed.ratio,
  },
  {
    metric: 'p99 answer through the receivers at the goal rate (200/s in a full run)',
    threshold: 50,
    comparator: '<',
    unit: 'ms',
    part: 'ingestion',
    read: (r) => r.parts.ingestion?.byRate.at(-1)?.receivers.latency.p99,
  },
  {
    metric: 'worker memory per further open transaction once the cache is full, over a cached workflow’s',
    threshold: 0.1,
    comparator: '<',
    unit: '×',
    part: 'scale',
    read: memoryShare,
  },
  {
    metric: 'open transactions whose deadline timer fired (share)',
    threshold: 1,
    comparator: '>=',
    unit: '×',
    part: 'scale',
    read: (r) => r.parts.scale && r.parts.scale.timers.expired / r.parts.scale.timers.expected,
  },
  {
    metric: 'history events per callback, worst traffic shape',
    threshold: 3,
    comparator: '<=',
    unit: 'events',
    part: 'history',
    read: (r) => maxOf(r.parts.history?.shapes.map((s) => s.eventsPerCallback)),
  },
  {
    metric: 'cache miss: replay of the largest run, worst traffic shape',
    threshold: 5000,
    comparator: '<',
    unit: 'ms',
    part: 'history',
    read: (r) => maxOf(r.parts.history?.shapes.map((s) => s.replayMs)),
  },
  {
    metric: 'cluster column: receivers / raw on the dev server',
    threshold: 0.9,
    comparator: '>=',
    unit: '×',
    part: 'cluster',
    read: (r) => column(r, 'dev server')?.ratio,
  },
  {
    metric: 'cluster column: receivers / raw on the native cluster',
    threshold: 0.9,
    comparator: '>=',
    unit: '×',
    part: 'cluster',
    read: (r) => column(r, 'native cluster')?.ratio,
  },
];

function maxOf(xs: number[] | undefined): number | undefined {
  return xs?.length ? Math.max(...xs) : undefined;
}

export interface Verdict {
  goal: Goal;
  value: number | undefined;
  /** null: not measured (the part did not run, or failed, or could not give the value). */
  met: boolean | null;
}

export function judge(r: BenchResults, goals = GOALS): Verdict[] {
  return goals.map((goal) => {
    const value = goal.read(r);
    if (value === undefined || !Number.isFinite(value)) return { goal, value: undefined, met: null };
    const t = goal.threshold;
    const met = goal.comparator === '>=' ? value >= t : goal.comparator === '<=' ? value <= t : value < t;
    return { goal, value, met };
  });
}
