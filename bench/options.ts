// How big a run is and which parts it runs. `full` is the headline run; `quick` runs every
// part for real at tiny sizes in about two minutes (what the bench's tests run).
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
export function benchOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const args = [...argv];
  let parts: PartName[] = ['ingestion', 'scale', 'history'];
  let quick = env.BENCH_SIZE === 'quick';
  let render: string | undefined;
  while (args.length) {
    const arg = args.shift()!;
    if (arg === '--quick') quick = true;
    else if (arg === '--cluster') parts = [...new Set([...parts, 'cluster' as const])];
    else if (arg === '--parts' || arg === '--render') {
      const value = args.shift();
      if (!value) throw new Error(`${arg} needs a value`);
      if (arg === '--render') render = value;
      else parts = value.split(',').map((p) => p.trim()) as PartName[];
    } else
      throw new Error(`unknown argument ${arg} (npm run bench -- [--quick] [--cluster] [--parts a,b] [--render file])`);
  }
  const unknown = parts.filter((p) => !PART_NAMES.includes(p));
  if (unknown.length || !parts.length)
    throw new Error(`--parts takes some of ${PART_NAMES.join(', ')}, got ${parts.join(',')}`);
  if (env.BENCH_SIZE && !['quick', 'full'].includes(env.BENCH_SIZE))
    throw new Error(`BENCH_SIZE must be quick or full, got ${env.BENCH_SIZE}`);
  const overrides = env.BENCH_OPTIONS ? (JSON.parse(env.BENCH_OPTIONS) as Partial<Sizes>) : {};
  const size = [quick ? 'quick' : 'full', env.BENCH_OPTIONS && `with ${env.BENCH_OPTIONS}`].filter(Boolean).join(' ');
  return { ...(quick ? QUICK : FULL), ...overrides, size, parts, ...(render && { render }) };
}
