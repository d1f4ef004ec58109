// Parts 3 and 4, on one dev server: open transactions waiting on their deadline timers with a
// bounded worker cache, measured at growth steps, then proof that every timer fires.
import { join } from 'node:path';
import { workflowIdFor } from '../src/common/ids';
import { stateQuery } from '../src/common/messages';
import { externalIdFor, providerFor } from './callbacks';
import { settle, startCluster, type Cluster } from './cluster';
import type { LoadResult, StartResult } from './loadgen';
import { measured, sleep, warmUp } from './measure';
import type { BenchOptions } from './options';
import { procStats } from './proc';
import type { BenchResults, GrowthPoint } from './results';
import { seededRandom, summarize, type LatencySummary } from './stats';

/** Counting runs a query over the whole visibility table, on the dev server's one SQLite connection. */
const COUNT_EVERY_MS = 5_000;

/**
 * Fills `growth` step by step (so a failure keeps the steps measured before it) and returns
 * the scale results once every timer fired or the grace period ran out.
 */
export async function runScale(
  opts: BenchOptions,
  steadyRate: number,
  growth: GrowthPoint[],
  ctx: { work: string; bundlePath: string; say: (line: string) => void; progress: (line: string) => void },
): Promise<NonNullable<BenchResults['scale']>> {
  const { say } = ctx;
  const b = await startCluster({
    dir: join(ctx.work, 'scale'),
    bundlePath: ctx.bundlePath,
    sutEnv: { WORKER_MAX_CACHED_WORKFLOWS: String(opts.cacheSize) },
    // Memory per cached workflow needs the cache's size and a heap collected on demand, which
    // only a worker in the measuring process gives.
    workerProcess: 'inline',
    providerApis: { rateLimit: opts.providerApiRateLimit },
    onProgress: ctx.progress,
  });
  try {
    await warmUp(b, opts, 'warm');
    await settle(b);
    await b.sut.call('gc');
    const baseline = await b.stats();
    const deadlines: number[] = [];
    const starts: StartResult[] = [];
    const scaleT0 = Date.now();
    const [, startUse, startTemporal] = await measured(b, async () => {
      let from = 0;
      for (const to of opts.checkpoints) {
        const started = await b.loadgen.call<StartResult>('start', {
          prefix: 'scale',
          from,
          to,
          concurrency: opts.startConcurrency,
          deadlineAfterMs: opts.deadlineAfterMs,
        });
        starts.push(started);
        deadlines.push(...started.deadlines);
        await settle(b, opts.growthSettleMs);
        await b.sut.call('gc');
        const s = await b.stats();
        const ack = await b.loadgen.call<LoadResult>('callbacks', {
          via: 'receivers',
          load: { rate: steadyRate },
          label: `ack latency at ${to} open`,
          plan: { kind: 'targets', prefix: 'scale', open: to, count: opts.ackCallbacks, seed: to },
        });
        const server = procStats(b.dev.pid);
        growth.push({
          open: to,
          startedPerSec: started.perSec,
          numCachedWorkflows: s.numCachedWorkflows,
          rssBytes: s.rssBytes,
          heapUsedBytes: s.heapUsedBytes,
          ...(server && { temporalRssBytes: server.rssBytes }),
          ack: ack.latency,
          ackOk: ack.ok,
          ackSent: ack.callbacks,
        });
        say(
          `${to} open: started ${started.perSec.toFixed(0)}/s, worker cache ${s.numCachedWorkflows}, RSS ${(s.rssBytes / 2 ** 20).toFixed(0)} MB, ack p50 ${ack.latency.p50.toFixed(1)} ms p99 ${ack.latency.p99.toFixed(1)} ms`,
        );
        from = to;
      }
    });
    const lastStartAt = Date.now();
    const startElapsed = starts.reduce((x, s) => x + s.elapsedMs, 0);

    // Timers: every transaction must end `expired` at its deadline.
    const sortedDeadlines = [...deadlines].sort((x, y) => x - y);
    const firstDeadline = sortedDeadlines[0];
    const lastDeadline = sortedDeadlines[sortedDeadlines.length - 1];
    const due = (t: number) => {
      let lo = 0;
      let hi = sortedDeadlines.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sortedDeadlines[mid] <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const timeline: Array<[number, number, number]> = [];
    let allFiredAt: number | null = null;
    say(
      `waiting for ${deadlines.length} deadline timers (first due in ${((firstDeadline - Date.now()) / 1000).toFixed(0)} s, last in ${((lastDeadline - Date.now()) / 1000).toFixed(0)} s)`,
    );
    const [expired, timersUse, timersTemporal] = await measured(b, async () => {
      let count = 0;
      let lastSaid = 0;
      while (Date.now() < lastDeadline + opts.timersGraceMs) {
        const now = Date.now();
        count = (await b.client.workflow.count('WorkflowType = "signingWorkflow" AND SigningStatus = "expired"')).count;
        timeline.push([(now - scaleT0) / 1000, due(now), count]);
        if (now - lastSaid > 10_000) {
          say(`  timers: ${due(now)} due, ${count} expired`);
          lastSaid = now;
        }
        if (count >= deadlines.length) {
          allFiredAt = now;
          break;
        }
        await sleep(Math.min(COUNT_EVERY_MS, Math.max(250, firstDeadline - now)));
      }
      return count;
    });
    say(
      `timers: ${expired}/${deadlines.length} transactions expired${allFiredAt ? `, all within ${((allFiredAt - lastDeadline) / 1000).toFixed(1)} s of the last deadline` : ''}`,
    );
    const lateness = await timerLateness(b, deadlines.length, Math.min(100, deadlines.length));

    const full = growth.find((g) => g.numCachedWorkflows >= opts.cacheSize * 0.95) ?? growth[growth.length - 1];
    return {
      transactions: deadlines.length,
      cacheSize: opts.cacheSize,
      start: {
        elapsedMs: startElapsed,
        perSec: (deadlines.length * 1000) / startElapsed,
        latency: summarize(starts.flatMap((s) => s.latencies)),
        countersign: startUse,
        temporal: startTemporal,
      },
      baselineRssBytes: baseline.rssBytes,
      baselineCachedWorkflows: baseline.numCachedWorkflows,
      memoryPerCachedWorkflowBytes:
        full.numCachedWorkflows > baseline.numCachedWorkflows
          ? (full.rssBytes - baseline.rssBytes) / (full.numCachedWorkflows - baseline.numCachedWorkflows)
          : NaN,
      timers: {
        expected: deadlines.length,
        expired,
        firstDeadline: new Date(firstDeadline).toISOString(),
        lastDeadline: new Date(lastDeadline).toISOString(),
        firstDeadlineBeforeLastStart: firstDeadline < lastStartAt,
        allFiredAfterLastDeadlineMs: allFiredAt === null ? null : (allFiredAt as number) - lastDeadline,
        lateness,
        timeline,
        countersign: timersUse,
        temporal: timersTemporal,
      },
    };
  } finally {
    await b.stop();
  }
}

/** Deadline to the `expired` event the engine recorded, on a sample of transactions. */
async function timerLateness(cluster: Cluster, n: number, sample: number): Promise<LatencySummary> {
  const random = seededRandom(7);
  const values: number[] = [];
  for (let k = 0; k < sample; k++) {
    const i = Math.floor(random() * n);
    const ref = { provider: providerFor(i), kind: 'signing' as const, externalId: externalIdFor('scale', i) };
    try {
      const state = await cluster.client.workflow.getHandle(workflowIdFor(ref)).query(stateQuery);
      const expiredAt = state.events.find((e) => e.key === 'engine:deadline')?.receivedAt;
      if (expiredAt && state.deadline) values.push(Date.parse(expiredAt) - Date.parse(state.deadline));
    } catch {
      // Counted by its absence from the sample.
    }
  }
  return summarize(values);
}
