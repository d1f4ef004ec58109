// Open transactions at scale, each waiting on its deadline timer, with a bounded worker cache:
// memory and ack latency at growth steps, then proof that every timer fires (at its deadline
// the engine polls the provider, the simulator, one last time and records `expired`).
import type { BenchOptions } from '../options';
import type { Parts, ScaleStep } from '../results';
import { asRun, warmUp } from '../harness/measure';
import type { LoadResult } from '../harness/loadgen';
import { procStats } from '../harness/proc';
import { settle, setupFor, type Context } from '../harness/setup';

/** Counting scans the visibility store, on a dev server its single SQLite connection. */
const COUNT_EVERY_MS = 5000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runScale(ctx: Context, o: BenchOptions): Promise<NonNullable<Parts['scale']>> {
  const s = await setupFor(ctx, 'scale', {
    // Only a worker in the measured process can count its cache and collect its heap on demand.
    sutEnv: { WORKER_MAX_CACHED_WORKFLOWS: String(o.cacheSize), BENCH_WORKER_PROCESS: 'inline' },
    providerApiRateLimit: o.providerApiRateLimit,
  });
  try {
    await warmUp(s, o.warmupCallbacks, o.concurrency, 'warm');
    await settle(s);
    await s.sut.call('gc');
    const base = await s.stats();
    const steps: ScaleStep[] = [];
    const deadlines: number[] = [];
    let startMs = 0;
    const t0 = Date.now();
    let from = 0;
    for (const to of o.steps) {
      const params = { prefix: 'scale', from, to, concurrency: o.startConcurrency, deadlineAfterMs: o.deadlineAfterMs };
      const started = await s.loadgen.call<{ elapsedMs: number; deadlines: number[] }>('start', params);
      startMs += started.elapsedMs;
      deadlines.push(...started.deadlines);
      await settle(s, 10_000);
      await s.sut.call('gc');
      const at = await s.stats();
      // A rate the machine sustains (the goal rate is beyond this one's server).
      const rate = Math.max(10, o.goalRate / 4);
      const plan = { kind: 'targets', prefix: 'scale', open: to, count: o.ackCallbacks, seed: to };
      const label = `acks at ${to} open`;
      const acks = await s.loadgen.call<LoadResult>('callbacks', { via: 'receivers', load: { rate }, label, plan });
      const ack = asRun('receivers', acks, { countersign: 0, worker: 0 });
      const temporalRssBytes = procStats(s.temporal.pid)?.rssBytes;
      const { cachedWorkflows, rssBytes } = at;
      const [open, ackOk, ackSent] = [to, ack.ok, ack.callbacks];
      steps.push({ open, cachedWorkflows, rssBytes, temporalRssBytes, ack: ack.latency, ackOk, ackSent });
      const mb = Math.round(rssBytes / 2 ** 20);
      ctx.say(`${to} open: cache ${cachedWorkflows}, RSS ${mb} MB, ack p99 ${ack.latency.p99 | 0} ms`);
      from = to;
    }

    const sorted = deadlines.sort((a, b) => a - b);
    const last = sorted[sorted.length - 1];
    const due = (t: number) => sorted.filter((d) => d <= t).length;
    const timeline: Array<[number, number, number]> = [];
    let expired = 0;
    let allExpiredAfterMs: number | null = null;
    const query = `TaskQueue = "${s.taskQueue}" AND SigningStatus = "expired"`;
    while (Date.now() < last + o.timersGraceMs) {
      const now = Date.now();
      expired = (await s.client.workflow.count(query)).count;
      timeline.push([(now - t0) / 1000, due(now), expired]);
      if (expired >= sorted.length) {
        allExpiredAfterMs = Math.max(0, now - last);
        break;
      }
      await sleep(Math.min(COUNT_EVERY_MS, Math.max(250, sorted[0] - now)));
    }
    ctx.say(`timers: ${expired} of ${sorted.length} expired`);
    return {
      cacheSize: o.cacheSize,
      startPerSec: (sorted.length * 1000) / startMs,
      baseline: { rssBytes: base.rssBytes, cachedWorkflows: base.cachedWorkflows },
      steps,
      timers: { expected: sorted.length, expired, allExpiredAfterMs, timeline },
    };
  } finally {
    await s.stop();
  }
}
