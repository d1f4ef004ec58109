// Callbacks through the receivers against the very same signals sent raw: the answer latency
// at rising offered rates (where the server itself stops keeping up), then the closed-loop
// ratio, each run followed until the workflow tasks it caused were done.
import type { BenchOptions } from '../options';
import type { Parts, Run } from '../results';
import { closedRound, compare, measuredRun, warmUp } from '../harness/measure';
import { setupFor, type Context } from '../harness/setup';

/** The p99 goal's bound: the sweep stops rising once the receivers pass it. */
export const P99_BOUND_MS = 50;

export async function runIngestion(ctx: Context, o: BenchOptions): Promise<NonNullable<Parts['ingestion']>> {
  const s = await setupFor(ctx, 'ingestion');
  try {
    await warmUp(s, o.warmupCallbacks, o.concurrency, 'warm');
    const byRate: Array<{ rate: number; receivers: Run; raw: Run }> = [];
    const atRate = async (rate: number) => {
      const n = Math.max(10, Math.round(rate * o.rateSeconds));
      const receivers = await measuredRun(s, 'receivers', { rate }, `rate-${rate}-rcv`, n, ctx.say);
      byRate.push({ rate, receivers, raw: await measuredRun(s, 'raw', { rate }, `rate-${rate}-raw`, n, ctx.say) });
      return receivers.latency.p99;
    };
    // Rising until the receivers pass the bound: higher rates below the goal say nothing new.
    for (const rate of o.rates.filter((r) => r < o.goalRate)) if ((await atRate(rate)) >= P99_BOUND_MS) break;
    await atRate(o.goalRate);
    const round = await closedRound(s, o, 'closed', 'receivers', ctx.say);
    const closed = compare(round.receivers, round.raw, []);
    closed.roundRatios = [closed.ratio];
    ctx.say(`ratio receivers/raw, closed loop: ${closed.ratio.toFixed(2)}`);
    return { byRate, closed, concurrency: o.concurrency, refusedByReason: (await s.stats()).refusedByReason };
  } finally {
    await s.stop();
  }
}
