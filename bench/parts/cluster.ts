// The cluster column: the closed-loop comparison on a dev server and on the native cluster of
// `npm run cluster` (or the cluster the environment names), in one run. Both stay up; rounds
// alternate which column goes first, and every two rounds which path, so the load other jobs
// put on the machine and its drift weigh on both columns and both paths alike.
import { join } from 'node:path';
import { closedRound, compare, warmUp } from '../harness/measure';
import { nativeCluster } from '../harness/native-cluster';
import { devServer, givenCluster, settle, startSetup, type Context, type Setup, type Temporal } from '../harness/setup';
import type { BenchOptions } from '../options';
import type { Parts, Run } from '../results';

export async function runCluster(ctx: Context, o: BenchOptions): Promise<NonNullable<Parts['cluster']>> {
  const columns: Array<{ name: string; setup: Setup; receivers: Run[]; raw: Run[]; roundRatios: number[] }> = [];
  const start = async (name: string, temporal: Temporal) => {
    const [dir, bundlePath] = [join(ctx.work, `cluster-${name}`), ctx.bundlePath];
    const setup = await startSetup({ temporal, dir, bundlePath, onProgress: ctx.say });
    columns.push({ name, setup, receivers: [], raw: [], roundRatios: [] });
  };
  try {
    await start('dev server', await devServer(join(ctx.work, 'cluster-dev', 'temporal')));
    await start('native cluster', givenCluster() ?? (await nativeCluster(ctx.say)));
    const order: string[] = [];
    for (let round = 0; round < o.clusterRounds; round++) {
      for (const c of round % 2 ? [...columns].reverse() : columns) {
        order.push(c.name);
        // The other column may still be catching up on its last run; it would share the CPU.
        for (const other of columns) if (other !== c) await settle(other.setup);
        // After minutes idle a column's first run was its slowest: unmeasured traffic first.
        await warmUp(c.setup, o.warmupCallbacks, o.concurrency, `c${round}-warm`);
        const first = Math.floor(round / 2) % 2 ? 'raw' : 'receivers';
        ctx.say(`round ${round + 1} on the ${c.name}, ${first} first`);
        const runs = await closedRound(c.setup, o, `c${round}`, first, ctx.say);
        c.receivers.push(...runs.receivers);
        c.raw.push(...runs.raw);
        c.roundRatios.push(compare(runs.receivers, runs.raw, []).ratio);
      }
    }
    const compared = columns.map((c) => ({ ...compare(c.receivers, c.raw, c.roundRatios), name: c.name }));
    return { columns: compared.map((c, k) => ({ ...c, label: columns[k].setup.temporal.label })), order };
  } finally {
    for (const c of columns.reverse()) await c.setup.stop().catch(() => undefined);
  }
}
