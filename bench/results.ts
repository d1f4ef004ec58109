// What a bench run measured, as written to results.json and rendered into REPORT.md.
import type { E2eResult, LoadResult } from './loadgen';
import type { BenchOptions } from './options';
import type { LatencySummary } from './stats';

export interface ResourceUse {
  wallMs: number;
  /** CPU time over wall time; 100 = one core busy. */
  cpuPercent: number;
  rssBytes: number;
  peakRssBytes?: number;
  /** Countersign only, when its worker has a process of its own: that process's part of `cpuPercent`. */
  workerProcessCpuPercent?: number;
}

export interface IngestionRun extends LoadResult {
  /** How many runs were merged into this one. */
  runs?: number;
  countersign: ResourceUse;
  temporal?: ResourceUse;
  /** The cluster's database (PostgreSQL) beside its Temporal server, when known. */
  database?: ResourceUse;
  /** The load generator's own CPU, share of one core. */
  loadgenCpuPercent?: number;
  /** From the last answer until the run's workflow tasks were done (`drained`), and what it cost. */
  drain?: { ms: number; countersign: ResourceUse; temporal?: ResourceUse; database?: ResourceUse };
}

export interface GrowthPoint {
  open: number;
  startedPerSec: number;
  numCachedWorkflows: number;
  rssBytes: number;
  heapUsedBytes: number;
  temporalRssBytes?: number;
  ack: LatencySummary;
  ackOk: number;
  ackSent: number;
}

export interface PragmaRun {
  label: string;
  pragmas: string[];
  receivers: IngestionRun;
  raw: IngestionRun;
}

/** One column of the dev server / native cluster comparison: every round's runs merged. */
export interface ClusterColumn {
  name: 'dev server' | 'native cluster';
  /** What it was, in words. */
  label: string;
  shards?: number;
  receivers: IngestionRun;
  raw: IngestionRun;
  /** Receivers' closed-loop callbacks/s over raw's, all rounds merged. */
  ratio: number;
  /** The same, round by round. */
  roundRatios: number[];
  /** Countersign's CPU per callback through the receivers, and when its worker alone handled the raw signals. */
  receiversCpuMs: number;
  workerCpuMs: number;
  /** What the receivers' path costs per callback beyond the worker's share. */
  beyondWorkerCpuMs: number;
  /**
   * The ratio with each run's drain counted in its time: callbacks over the time until the
   * workflow tasks they caused were done. Absent when the runs were not drained.
   */
  drainedRatio?: number;
  drainedRoundRatios?: number[];
}

export interface BenchResults {
  meta: {
    size: string;
    startedAt: string;
    finishedAt: string;
    durationS: number;
    commit: string;
    machine: { cpus: number; model: string; memoryGb: number; os: string };
    node: string;
    temporalCli: string;
    loadAverage: { before: number[]; after: number[]; atEachPart: Record<string, number[]> };
    layout: string;
    /** WORKER_* and BENCH_WORKER_OPTIONS passed on to Countersign (besides the scale run's cache size). */
    workerEnv: Record<string, string>;
    options: Omit<BenchOptions, 'progress' | 'outDir'>;
    /** Offered rate of the busy measurements (end to end under load, growth acks). */
    steadyRate: number;
  };
  /** Part 1; absent when skipped or failed (see `failures`). */
  ingestion?: {
    fixed: { receivers: IngestionRun; raw: IngestionRun };
    saturation: { receivers: IngestionRun; raw: IngestionRun };
    /** Receivers' saturated callbacks/s over raw signalWithStart's, for the same signals. */
    ratio: number;
    callbacksAccepted: number;
    callbacksRefused: number;
    refusedByReason: Record<string, number>;
    /** Receivers alone at rising offered rates, until p99 reached 50 ms. */
    sweep: IngestionRun[];
    /** Raw `signalWithStart` at the same rates as `sweep`. */
    sweepRaw: IngestionRun[];
    /** Half the receivers' saturated rate (at most the fixed rate): what the busy measurements offer. */
    steadyRate: number;
  };
  /** The cluster column (`--cluster`): the closed loop on a dev server and on the native cluster. */
  clusters?: {
    columns: ClusterColumn[];
    /** Which went when, round by round. */
    order: string[];
    /** Load average (1, 5, 15 min) before each turn and after the last. */
    loadAverage: number[][];
  };
  e2e?: { idle: E2eResult; busy: E2eResult };
  pragmas?: PragmaRun[];
  scale?: {
    transactions: number;
    cacheSize: number;
    start: {
      elapsedMs: number;
      perSec: number;
      latency: LatencySummary;
      countersign: ResourceUse;
      temporal?: ResourceUse;
    };
    baselineRssBytes: number;
    /** Warm-up workflows already in the cache when the baseline was taken. */
    baselineCachedWorkflows: number;
    memoryPerCachedWorkflowBytes: number;
    timers: {
      expected: number;
      expired: number;
      firstDeadline: string;
      lastDeadline: string;
      /** Starting took longer than the deadline: some timers fired during the growth steps. */
      firstDeadlineBeforeLastStart: boolean;
      /** From the last deadline until visibility counted every transaction expired. */
      allFiredAfterLastDeadlineMs: number | null;
      /** Deadline to the engine's `expired` event, on a sample of transactions. */
      lateness: LatencySummary;
      /** [seconds since the first start, deadlines due, transactions seen expired]. */
      timeline: Array<[number, number, number]>;
      countersign: ResourceUse;
      temporal?: ResourceUse;
    };
  };
  /** Growth steps measured, up to where part 3-4 stopped if it failed. */
  growth: GrowthPoint[];
  /** Parts that threw: the report shows what they measured before, and why they stopped. */
  failures: Array<{ part: string; error: string }>;
  goals: Array<{ goal: string; measured: string; met: boolean | null }>;
}
