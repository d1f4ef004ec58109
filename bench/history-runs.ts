// What one transaction's traffic left in Temporal: every run of its continue-as-new chain, its
// events and bytes, and how long the largest run takes to replay (what a cache miss costs).
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { allRuns } from '../test/helpers/runs';
import { summarize } from './stats';

export interface ChainSize {
  runs: number;
  events: number;
  largest: { runId: string; events: number; bytes: number; history: temporal.api.history.v1.IHistory };
}

/** Bytes as Temporal stores and sends them: the protobuf encoding of the run's history. */
const encodedBytes = (history: temporal.api.history.v1.IHistory) =>
  temporal.api.history.v1.History.encode(history).finish().length;

export async function chainSize(client: Client, workflowId: string): Promise<ChainSize> {
  const runs = await allRuns(client, workflowId);
  let largest: ChainSize['largest'] | undefined;
  for (const run of runs) {
    const history = { events: run.events };
    const bytes = encodedBytes(history);
    if (
      !largest ||
      run.events.length > largest.events ||
      (run.events.length === largest.events && bytes > largest.bytes)
    ) {
      largest = { runId: run.runId, events: run.events.length, bytes, history };
    }
  }
  if (!largest) throw new Error(`no run found for ${workflowId}`);
  return { runs: runs.length, events: runs.reduce((n, r) => n + r.events.length, 0), largest };
}

const median = (samples: number[]) => summarize(samples).p50;

/**
 * `Worker.runReplayHistory` `times` times (a fresh replay worker each time, as a test or a
 * one-off replay pays), then the same history through one running replay worker, which is
 * closer to what a worker that lost the run from its cache pays: the first replay (the worker
 * starting) is dropped and `times` more are timed from one result to the next.
 */
export async function replayTimes(
  options: ReplayWorkerOptions,
  history: temporal.api.history.v1.IHistory,
  workflowId: string,
  times = 3,
): Promise<{ cold: { median: number; samples: number[] }; warm: { median: number; samples: number[] } }> {
  const cold: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await Worker.runReplayHistory(options, history, workflowId);
    cold.push(performance.now() - t);
  }
  const warm: number[] = [];
  const copies = Array.from({ length: times + 1 }, (_, i) => ({ workflowId: `${workflowId}-${i}`, history }));
  let last = performance.now();
  let first = true;
  for await (const result of Worker.runReplayHistories(options, copies)) {
    const now = performance.now();
    if (result.error) throw result.error;
    if (!first) warm.push(now - last);
    first = false;
    last = now;
  }
  return { cold: { median: median(cold), samples: cold }, warm: { median: median(warm), samples: warm } };
}
