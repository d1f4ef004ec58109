// The benchmark's goals, one row each: what is measured, the bound, and how it compares. The
// report judges every row against the results it renders, so re-rendering old results judges
// them by today's table.
import type { BenchResults, HistoryShape, PartName } from './results';

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

type Read = Goal['read'];
const worst =
  (f: (s: HistoryShape) => number): Read =>
  (r) =>
    maxOf(r.parts.history?.shapes.map(f));

const READINGS = {
  closedRatio: ['ingestion', (r) => r.parts.ingestion?.closed.ratio],
  p99AtGoalRate: ['ingestion', (r) => r.parts.ingestion?.byRate.at(-1)?.receivers.latency.p99],
  memoryShare: ['scale', memoryShare],
  timersFired: ['scale', (r) => r.parts.scale && r.parts.scale.timers.expired / r.parts.scale.timers.expected],
  eventsPerCallback: ['history', worst((s) => s.eventsPerCallback)],
  replayMs: ['history', worst((s) => s.replayMs)],
  devServerRatio: ['cluster', (r) => column(r, 'dev server')?.ratio],
  nativeClusterRatio: ['cluster', (r) => column(r, 'native cluster')?.ratio],
} satisfies Record<string, [PartName, Read]>;

/** The table: metric, comparator, threshold, unit, and the reading that measures it. */
const TABLE: Array<[string, Goal['comparator'], number, string, keyof typeof READINGS]> = [
  ['receivers / raw `signalWithStart`, callbacks/s in the closed loop', '>=', 0.9, '×', 'closedRatio'],
  ['p99 answer through the receivers at the goal rate (200/s)', '<', 50, 'ms', 'p99AtGoalRate'],
  ['memory per open transaction once the cache is full, over a cached workflow’s', '<', 0.1, '×', 'memoryShare'],
  ['open transactions whose deadline timer fired', '>=', 1, 'share', 'timersFired'],
  ['history events per callback, worst traffic shape', '<=', 4, 'events', 'eventsPerCallback'],
  ['cache miss: replay of the largest run, worst traffic shape', '<', 5000, 'ms', 'replayMs'],
  ['cluster column: receivers / raw on the dev server', '>=', 0.9, '×', 'devServerRatio'],
  ['cluster column: receivers / raw on the native cluster', '>=', 0.9, '×', 'nativeClusterRatio'],
];

export const GOALS: Goal[] = TABLE.map(([metric, comparator, threshold, unit, reading]) => {
  const [part, read]: [PartName, Read] = READINGS[reading];
  return { metric, comparator, threshold, unit, part, read };
});

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
