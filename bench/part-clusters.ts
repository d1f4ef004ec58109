// The cluster column: the closed-loop comparison of part 1 (receivers against raw
// signalWithStart, CPU per callback of each) on a dev server and on the native cluster, in
// one run. Both stay up for the whole part; rounds alternate which goes first, so the load
// other jobs put on the machine, and its drift, weigh on both columns alike.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { settle, settleServer, startCluster, type Cluster } from './cluster';
import { cpuPerCallback, drainedRatio, mergeRuns, warmUp } from './measure';
import { nativeCluster } from './native-cluster';
import type { BenchOptions } from './options';
import { abba } from './part-ingestion';
import type { ClusterColumn, IngestionRun } from './results';

type Say = (line: string) => void;

interface Ctx {
  work: string;
  bundlePath: string;
  say: Say;
  progress: Say;
}

export async function runClusters(
  opts: BenchOptions,
  ctx: Ctx,
): Promise<{ columns: ClusterColumn[]; order: string[]; loadAverage: number[][] }> {
  const { say } = ctx;
  const native = await nativeCluster(ctx.progress);
  const setups: Array<{
    name: ClusterColumn['name'];
    label: string;
    shards?: number;
    cluster: Cluster;
    runs: { receivers: IngestionRun[]; raw: IngestionRun[] };
    roundRatios: number[];
    drainedRoundRatios: number[];
  }> = [];
  try {
    const dev = await startCluster({
      dir: join(ctx.work, 'clusters-dev'),
      bundlePath: ctx.bundlePath,
      onProgress: ctx.progress,
      temporal: 'dev',
    });
    setups.push({
      name: 'dev server',
      label: 'dev server (temporal server start-dev, SQLite)',
      cluster: dev,
      runs: { receivers: [], raw: [] },
      roundRatios: [],
      drainedRoundRatios: [],
    });
    const cl = await startCluster({
      dir: join(ctx.work, 'clusters-native'),
      bundlePath: ctx.bundlePath,
      onProgress: ctx.progress,
      temporal: native,
    });
    setups.push({
      name: 'native cluster',
      label: native.label,
      shards: native.shards,
      cluster: cl,
      runs: { receivers: [], raw: [] },
      roundRatios: [],
      drainedRoundRatios: [],
    });
    for (const s of setups) {
      say(`warm-up on the ${s.name}`);
      await warmUp(s.cluster, opts, `cwarm-${s.name === 'dev server' ? 'dev' : 'native'}`);
    }
    const order: string[] = [];
    const loadAverage: number[][] = [];
    for (let round = 0; round < opts.clusterRounds; round++) {
      const inOrder = round % 2 === 0 ? setups : [...setups].reverse();
      for (const s of inOrder) {
        loadAverage.push(loadavg());
        say(
          `round ${round + 1}, ${s.name} (load average ${loadavg()
            .map((l) => l.toFixed(2))
            .join(' ')})`,
        );
        order.push(s.name);
        // The other setup may still be catching up on its last run (its worker on the workflow
        // tasks a receivers run left behind, its server and database on their own tasks):
        // settled too, or this round's first run shares the CPU with it.
        for (const other of setups)
          if (other !== s) {
            await settle(other.cluster);
            await settleServer(other.cluster);
          }
        const tag = s.name === 'dev server' ? 'dev' : 'native';
        // After minutes idle the first run of a turn was the slowest (its worker kept up, the
        // later ones' did not), and it was always a receivers run. Unmeasured traffic first,
        // and the path going first alternates every two rounds, so each column starts with
        // each path as often, both when it goes first in the round and when it goes second.
        await warmUp(s.cluster, opts, `c${round}-${tag}-warm`);
        const first = Math.floor(round / 2) % 2 === 0 ? 'receivers' : 'raw';
        const pair = await abba(
          s.cluster,
          { concurrency: opts.concurrency },
          `c${round}-${tag}`,
          opts.saturationCallbacks,
          say,
          (opts.saturationSeconds * 1000) / 2,
          first,
        );
        s.runs.receivers.push(...pair.single.receivers);
        s.runs.raw.push(...pair.single.raw);
        s.roundRatios.push(pair.receivers.callbacksPerSec / pair.raw.callbacksPerSec);
        const drainedRound = drainedRatio(pair.receivers, pair.raw);
        if (drainedRound !== undefined) s.drainedRoundRatios.push(drainedRound);
      }
    }
    loadAverage.push(loadavg());
    const columns = setups.map((s): ClusterColumn => {
      const receivers = mergeRuns(s.runs.receivers);
      const raw = mergeRuns(s.runs.raw);
      const receiversCpu = cpuPerCallback(receivers.countersign, receivers);
      const workerCpu = cpuPerCallback(raw.countersign, raw);
      const drained = drainedRatio(receivers, raw);
      return {
        name: s.name,
        label: s.label,
        ...(s.shards && { shards: s.shards }),
        receivers,
        raw,
        ratio: receivers.callbacksPerSec / raw.callbacksPerSec,
        roundRatios: s.roundRatios,
        receiversCpuMs: receiversCpu,
        workerCpuMs: workerCpu,
        beyondWorkerCpuMs: receiversCpu - workerCpu,
        ...(drained !== undefined && { drainedRatio: drained, drainedRoundRatios: s.drainedRoundRatios }),
      };
    });
    for (const c of columns)
      say(
        `${c.name}: receivers ${c.receivers.callbacksPerSec.toFixed(0)}/s, raw ${c.raw.callbacksPerSec.toFixed(0)}/s, ratio ${c.ratio.toFixed(2)}${c.drainedRatio !== undefined ? ` (${c.drainedRatio.toFixed(2)} counting each run until its workflow tasks were done)` : ''}; receivers path ${c.beyondWorkerCpuMs.toFixed(2)} ms CPU per callback beyond the worker's`,
      );
    return { columns, order, loadAverage };
  } finally {
    for (const s of setups.reverse()) await s.cluster.stop().catch(() => undefined);
    await native.stop();
  }
}
