// Opt-in: the dev server's SQLite pragmas compared, each on a fresh dev server.
import { join } from 'node:path';
import { DEFAULT_SQLITE_PRAGMAS } from '../src/app/dev-server';
import { settle, startCluster } from './cluster';
import type { LoadResult, Via } from './loadgen';
import { measured, mergeRuns, warmUp } from './measure';
import type { BenchOptions } from './options';
import type { IngestionRun, PragmaRun } from './results';

export async function runPragmas(
  opts: BenchOptions,
  ctx: {
    work: string;
    bundlePath: string;
    part: (name: string) => void;
    say: (line: string) => void;
    progress: (line: string) => void;
  },
): Promise<PragmaRun[]> {
  const pragmas: PragmaRun[] = [];
  const variants: Array<[string, string[]]> = [
    ['WAL, synchronous=normal (what startDevServer passes)', DEFAULT_SQLITE_PRAGMAS],
    ['rollback journal, synchronous=full (SQLite defaults)', ['journal_mode=delete', 'synchronous=full']],
  ];
  for (const [label, list] of variants) {
    ctx.part(`SQLite pragmas: ${label}`);
    const c = await startCluster({
      dir: join(ctx.work, `pragmas-${pragmas.length}`),
      bundlePath: ctx.bundlePath,
      sqlitePragmas: list,
      onProgress: ctx.progress,
    });
    try {
      const run = async (via: Via, callbacks: number, maxMs?: number): Promise<IngestionRun> => {
        await settle(c);
        const [result, countersign, temporal] = await measured(c, () =>
          c.loadgen.call<LoadResult>('callbacks', {
            via,
            load: { concurrency: opts.concurrency },
            label: `${via} closed loop`,
            maxMs,
            plan: { kind: 'pairs', prefix: `pragma-${via}`, transactions: Math.ceil(callbacks / 2) },
          }),
        );
        ctx.say(`${via}: ${result.callbacksPerSec.toFixed(0)} callbacks/s, p99 ${result.latency.p99.toFixed(1)} ms`);
        return mergeRuns([{ ...result, countersign, temporal }]);
      };
      await warmUp(c, opts, 'warm');
      const receivers = await run('receivers', opts.saturationCallbacks, opts.pragmaSeconds * 1000);
      pragmas.push({ label, pragmas: list, receivers, raw: await run('raw', receivers.callbacks) });
    } finally {
      await c.stop();
    }
  }
  return pragmas;
}
