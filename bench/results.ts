// What a run measured, as results.json holds it: the report is rendered from this alone, so a
// committed results.json regenerates REPORT.md (`npm run bench -- --render <file>`).
import type { Latency } from './stats';

/** CPU milliseconds each process spent over a run; the worker's is also in Countersign's. */
export type Cpu = { countersign: number; worker: number; temporal?: number; database?: number; loadgen?: number };

export interface Run {
  via: 'receivers' | 'raw';
  callbacks: number;
  /** Answered 2xx. */
  ok: number;
  outcomes: Record<string, number>;
  elapsedMs: number;
  perSec: number;
  latency: Latency;
  /** Every answer time, for merging runs; left out of results.json. */
  samples?: number[];
  cpu: Cpu;
  /** From the last answer until the run's workflow tasks were done, and the CPU meanwhile. */
  drain?: { ms: number; cpu: Cpu };
}

/** Receivers against raw `signalWithStart`, each side's runs merged. */
export interface Comparison {
  receivers: Run;
  raw: Run;
  ratio: number;
  /** The ratio with each run timed until its workflow tasks were done. */
  drainedRatio?: number;
  roundRatios: number[];
}

export interface PartMeta {
  commit: string;
  startedAt: string;
  durationS: number;
  size: string;
  temporal: string;
  loadAverage: { before: number[]; after: number[] };
}

export interface HistoryShape {
  name: string;
  traffic: string;
  callbacks: number;
  accepted: number;
  finalStatus: string;
  runs: number;
  events: number;
  eventsPerCallback: number;
  largestRun: { events: number; bytes: number };
  /** `Worker.runReplayHistory` of the largest run, fresh replay worker each time: median ms. */
  replayMs: number;
  /** The same through one running replay worker, closer to a cache miss in a live worker. */
  warmReplayMs: number;
}

export type ScaleStep = { open: number; cachedWorkflows: number; rssBytes: number; temporalRssBytes?: number } & {
  ack: Latency;
  ackOk: number;
  ackSent: number;
};

export interface Parts {
  ingestion?: {
    byRate: Array<{ rate: number; receivers: Run; raw: Run }>;
    closed: Comparison;
    concurrency: number;
    refusedByReason: Record<string, number>;
  };
  scale?: {
    cacheSize: number;
    startPerSec: number;
    baseline: { rssBytes: number; cachedWorkflows: number };
    steps: ScaleStep[];
    timers: {
      expected: number;
      expired: number;
      /** From the last deadline until visibility counted all expired; null if it never did. */
      allExpiredAfterMs: number | null;
      /** [seconds since the first start, deadlines due, seen expired]. */
      timeline: Array<[number, number, number]>;
    };
  };
  history?: { shapes: HistoryShape[] };
  cluster?: { columns: Array<Comparison & { name: string; label: string }>; order: string[] };
}

export type PartName = keyof Parts;
export const PART_NAMES: PartName[] = ['ingestion', 'scale', 'history', 'cluster'];

export interface BenchResults {
  version: 2;
  machine: { cpus: number; model: string; memoryGb: number; node: string };
  parts: Parts;
  /** When and on what each part was measured: parts of different runs can sit side by side. */
  meta: Partial<Record<PartName, PartMeta>>;
  failures: Partial<Record<PartName, string>>;
}

/** Callbacks per second with each run timed until its workflow tasks were done. */
export const drainedRate = (r: Run) => (r.drain ? (r.ok * 1000) / (r.elapsedMs + r.drain.ms) : undefined);

/** CPU ms per callback answered 2xx; NaN when the process was not measured. */
export const perCallback = (ms: number | undefined, r: Run) => (ms === undefined ? NaN : ms / Math.max(1, r.ok));
