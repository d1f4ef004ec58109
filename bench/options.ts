// How big a run is. `full` is what `npm run bench` measures (well under 15 minutes on two
// cores); `smoke` is the seconds-long run CI does; BENCH_SCALE=100000 opts into the big one.

export interface BenchOptions {
  /**
   * Which parts run (BENCH_PARTS, comma-separated); `e2e` shares part 1's dev server.
   * `clusters` (the cluster column) only when asked: `--cluster`, BENCH_CLUSTER=1 or BENCH_PARTS.
   */
  parts: Array<'ingestion' | 'e2e' | 'scale' | 'clusters'>;
  size: string;
  outDir: string;
  /** Offered rate of the fixed-rate ingestion runs, callbacks per second. */
  fixedRate: number;
  fixedCallbacks: number;
  /** Unmeasured callbacks each way first, so JIT, connections and caches are warm. */
  warmupCallbacks: number;
  /** Receivers alone at these rates (below `fixedRate`), until p99 reaches 50 ms. */
  sweepRates: number[];
  sweepSeconds: number;
  /** Closed loop: this many clients, each sending its next callback when answered. */
  concurrency: number;
  /**
   * Closed loop: the first receivers run lasts this long (at most `saturationCallbacks`); the
   * other three runs send as many callbacks as it did, so both sides send the same signals.
   */
  saturationSeconds: number;
  saturationCallbacks: number;
  /** Cluster column: closed-loop rounds on each of the dev server and the native cluster, alternating which goes first. */
  clusterRounds: number;
  e2eSamples: number;
  e2eConcurrency: number;
  /** Also run a short saturation with SQLite's own defaults instead of WAL. */
  comparePragmas: boolean;
  pragmaSeconds: number;
  scaleTransactions: number;
  /** Open transactions at which growth is measured; the last is `scaleTransactions`. */
  checkpoints: number[];
  /**
   * Callbacks sent at each checkpoint to measure the ack latency, at the steady rate (half the
   * receivers' measured saturation, at most `fixedRate`), which the machine can sustain.
   */
  ackCallbacks: number;
  /** Longest wait for the worker to go quiet before each growth measurement. */
  growthSettleMs: number;
  /**
   * `<PROVIDER>_API_RATE_LIMIT` of the scale run, whose provider APIs are the simulators: each
   * deadline ends with a last poll, and at the defaults (Signhost 2/s) the rate limit, not the
   * engine, would set the pace.
   */
  providerApiRateLimit: number;
  /** WORKER_MAX_CACHED_WORKFLOWS of the scale run. */
  cacheSize: number;
  startConcurrency: number;
  /** Each scale transaction's deadline, counted from its own start. */
  deadlineAfterMs: number;
  /** How long after the last deadline every timer must have fired. */
  timersGraceMs: number;
  progress: (line: string) => void;
}

type Sized = Omit<BenchOptions, 'outDir' | 'progress' | 'size' | 'parts'>;

const PARTS: BenchOptions['parts'] = ['ingestion', 'e2e', 'scale'];
const ALL_PARTS: BenchOptions['parts'] = [...PARTS, 'clusters'];

const FULL: Sized = {
  fixedRate: 200,
  fixedCallbacks: 3000,
  warmupCallbacks: 400,
  sweepRates: [25, 50, 100, 150],
  sweepSeconds: 6,
  concurrency: 32,
  saturationSeconds: 16,
  saturationCallbacks: 10_000,
  clusterRounds: 2,
  e2eSamples: 200,
  e2eConcurrency: 4,
  // Opt in with BENCH_OPTIONS='{"comparePragmas":true}' (two more dev servers, ~2 minutes).
  comparePragmas: false,
  pragmaSeconds: 12,
  scaleTransactions: 10_000,
  // Two full-cache steps at least (the cache of 2 000 fills between 2 500 and 5 000), so the
  // memory goal can be judged between them.
  checkpoints: [1000, 2500, 5000, 7500, 10_000],
  ackCallbacks: 300,
  growthSettleMs: 10_000,
  providerApiRateLimit: 1000,
  cacheSize: 2000,
  startConcurrency: 32,
  // Timers start firing while later transactions are still being started (expired ones stay
  // open, lingering): on two cores the server cannot start and expire 10 000 in 15 minutes one
  // after the other.
  deadlineAfterMs: 60_000,
  timersGraceMs: 600_000,
};

const SMOKE: Sized = {
  fixedRate: 50,
  fixedCallbacks: 40,
  warmupCallbacks: 10,
  sweepRates: [20],
  sweepSeconds: 1,
  concurrency: 4,
  saturationSeconds: 30,
  saturationCallbacks: 40,
  clusterRounds: 1,
  e2eSamples: 4,
  e2eConcurrency: 2,
  comparePragmas: false,
  pragmaSeconds: 0,
  scaleTransactions: 60,
  checkpoints: [30, 60],
  ackCallbacks: 10,
  growthSettleMs: 10_000,
  providerApiRateLimit: 1000,
  cacheSize: 20,
  startConcurrency: 8,
  deadlineAfterMs: 5_000,
  timersGraceMs: 60_000,
};

/** The opt-in run: 100 000 open transactions; growth checkpoints extended to match. */
function bigScale(n: number): Partial<Sized> {
  const checkpoints = [1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000].filter((c) => c < n);
  return {
    scaleTransactions: n,
    checkpoints: [...checkpoints, n],
    deadlineAfterMs: Math.max(60_000, n * 4),
    timersGraceMs: Math.max(300_000, n * 20),
  };
}

export function benchOptions(env: NodeJS.ProcessEnv, outDir: string, progress: (line: string) => void): BenchOptions {
  const size = env.BENCH_SIZE === 'smoke' ? 'smoke' : 'full';
  const base = size === 'smoke' ? SMOKE : FULL;
  const scale = env.BENCH_SCALE ? Number(env.BENCH_SCALE) : undefined;
  if (scale !== undefined && !(Number.isInteger(scale) && scale > 0))
    throw new Error(`BENCH_SCALE must be a positive integer, got ${env.BENCH_SCALE}`);
  const sized = scale !== undefined && scale !== base.scaleTransactions ? { ...base, ...bigScale(scale) } : base;
  // For exploring: BENCH_OPTIONS='{"saturationCallbacks":20000}' overrides any size field.
  const overrides = env.BENCH_OPTIONS ? (JSON.parse(env.BENCH_OPTIONS) as Partial<Sized>) : {};
  const listed: string[] = env.BENCH_PARTS ? env.BENCH_PARTS.split(',').map((p) => p.trim()) : PARTS;
  const unknown = listed.filter((p) => !(ALL_PARTS as string[]).includes(p));
  if (unknown.length || !listed.length)
    throw new Error(`BENCH_PARTS must list some of ${ALL_PARTS.join(', ')}, got ${env.BENCH_PARTS}`);
  if (env.BENCH_CLUSTER !== undefined && !['', '0', '1'].includes(env.BENCH_CLUSTER))
    throw new Error(`BENCH_CLUSTER must be 1 or 0, got ${env.BENCH_CLUSTER}`);
  const parts = env.BENCH_CLUSTER === '1' && !listed.includes('clusters') ? [...listed, 'clusters'] : listed;
  const label = [size, scale && `${scale} open transactions`, env.BENCH_OPTIONS && `overrides ${env.BENCH_OPTIONS}`]
    .filter(Boolean)
    .join(', ');
  return { ...sized, ...overrides, parts: parts as BenchOptions['parts'], size: label, outDir, progress };
}
