// How big a run is and which parts it runs. `full` is the headline run; `quick` runs every
// part for real at tiny sizes in about two minutes (what the bench's tests run).
import { parseArgs } from 'node:util';
import { PART_NAMES, type PartName } from './results';

const FULL = {
  warmupCallbacks: 400,
  /** Open loop, rising until the receivers' p99 passes 50 ms; then always `goalRate`. */
  rates: [25, 50, 100, 150],
  goalRate: 200,
  rateSeconds: 8,
  /** Closed loop: clients each sending their next callback when answered. */
  concurrency: 32,
  /** The first closed-loop run lasts this long; the three after it send as many callbacks. */
  closedSeconds: 8,
  closedCallbacks: 10_000,
  clusterRounds: 2,
  transactions: 10_000,
  steps: [1000, 2500, 5000, 7500, 10_000],
  ackCallbacks: 300,
  cacheSize: 2000,
  startConcurrency: 32,
  /** Deadlines overlap later starts: two cores cannot start 10 000, then expire them, in 15 minutes. */
  deadlineAfterMs: 60_000,
  timersGraceMs: 600_000,
  /** The engine, not the real providers' rate limits, must set the pace of the last polls. */
  providerApiRateLimit: 1000,
  duplicates: 10_000,
  postbacks: 200,
  activities: 5000,
  activitiesPerPostback: 100,
};

export type Sizes = typeof FULL;

const QUICK: Sizes = {
  ...FULL,
  warmupCallbacks: 10,
  rates: [20],
  goalRate: 40,
  rateSeconds: 1,
  concurrency: 4,
  closedSeconds: 30,
  closedCallbacks: 40,
  clusterRounds: 1,
  transactions: 60,
  // The cache of 20 is full at two steps at least: the memory goal is judged between them.
  steps: [20, 40, 60],
  ackCallbacks: 10,
  cacheSize: 20,
  startConcurrency: 8,
  deadlineAfterMs: 5000,
  timersGraceMs: 60_000,
  duplicates: 40,
  postbacks: 20,
  activities: 1000,
};

export interface BenchOptions extends Sizes {
  size: string;
  parts: PartName[];
  /** Re-render this results.json instead of measuring. */
  render?: string;
}

/** `[--quick] [--cluster] [--parts a,b] [--render file]`; BENCH_SIZE, BENCH_OPTIONS as env. */
export function benchOptions(args: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const flags = {
    quick: { type: 'boolean' },
    cluster: { type: 'boolean' },
    parts: { type: 'string' },
    render: { type: 'string' },
  } as const;
  const { values: v } = parseArgs({ args, options: flags, strict: true });
  const parts = (v.parts?.split(',').map((p) => p.trim()) ?? ['ingestion', 'scale', 'history']) as PartName[];
  if (v.cluster && !parts.includes('cluster')) parts.push('cluster');
  if (!parts.length || parts.some((p) => !PART_NAMES.includes(p)))
    throw new Error(`--parts takes some of ${PART_NAMES.join(', ')}, got ${parts.join(',')}`);
  if (env.BENCH_SIZE && !['quick', 'full'].includes(env.BENCH_SIZE))
    throw new Error(`BENCH_SIZE must be quick or full, got ${env.BENCH_SIZE}`);
  const quick = v.quick || env.BENCH_SIZE === 'quick';
  const overrides = env.BENCH_OPTIONS ? (JSON.parse(env.BENCH_OPTIONS) as Partial<Sizes>) : {};
  const size = [quick ? 'quick' : 'full', env.BENCH_OPTIONS && `with ${env.BENCH_OPTIONS}`].filter(Boolean).join(' ');
  return { ...(quick ? QUICK : FULL), ...overrides, size, parts, ...(v.render && { render: v.render }) };
}
