// The benchmark run: ingestion through the receivers against raw signals, end-to-end
// visibility, open transactions at scale with their timers, and growth. Each group of parts gets
// a fresh Temporal dev server so one part's history does not weigh on the next. A part that
// throws is written down as failed and the run goes on: the report shows everything measured.
import { bundleWorkflows } from '../src/temporal/workflow-bundle';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { startCluster } from './cluster';
import { goals } from './goals';
import type { BenchOptions } from './options';
import { runClusters } from './part-clusters';
import { runEndToEnd, runIngestion } from './part-ingestion';
import { codeVersion } from './code-version';
import { runPragmas } from './part-pragmas';
import { runScale } from './part-scale';
import type { BenchResults, GrowthPoint } from './results';

export type * from './results';
export { mergeRuns } from './measure';

export async function runBench(opts: BenchOptions): Promise<BenchResults> {
  const t0 = Date.now();
  const commit = codeVersion();
  const say = (line: string) => {
    const s = Math.round((Date.now() - t0) / 1000);
    opts.progress(`[bench ${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${line}`);
  };
  const loadBefore = loadavg();
  say(
    `size ${opts.size}; parts ${opts.parts.join(', ')}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`,
  );
  if (loadBefore[0] > cpus().length) say('warning: the machine is busy; numbers will be noisy');

  const atEachPart: Record<string, number[]> = {};
  const part = (name: string) => {
    atEachPart[name] = loadavg();
    say(`${name} (load average ${atEachPart[name].map((l) => l.toFixed(2)).join(' ')})`);
  };
  const failures: BenchResults['failures'] = [];
  /** Runs `fn`; if it throws, every part named is written down as failed with the error. */
  const attempt = async <T>(names: string[], fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      for (const part of names) failures.push({ part, error });
      const name = names.join(', ');
      say(`${name} FAILED: ${error}; the report keeps what was measured before`);
      return undefined;
    }
  };
  const runs = (p: BenchOptions['parts'][number]) => opts.parts.includes(p);

  const work = mkdtempSync(join(tmpdir(), 'countersign-bench-'));
  try {
    say('bundling workflows once for every worker');
    const { code } = await bundleWorkflows();
    const bundlePath = join(work, 'workflows-bundle.js');
    writeFileSync(bundlePath, code);
    const progress = (line: string) => say(`  ${line}`);
    const ctx = { work, bundlePath, part, say, progress };

    // 1 and 2: ingestion and end to end, on the configuration `npm start` uses.
    let ingestion: BenchResults['ingestion'];
    let e2e: BenchResults['e2e'];
    if (runs('ingestion') || runs('e2e')) {
      part('part 1: callback ingestion (fresh dev server, Countersign as npm start runs it)');
      // The dev server both parts share: if it cannot start, both are reported failed.
      await attempt((['ingestion', 'e2e'] as const).filter(runs), async () => {
        const a = await startCluster({ dir: join(work, 'ingestion'), bundlePath, onProgress: progress });
        try {
          if (runs('ingestion')) ingestion = await attempt(['ingestion'], () => runIngestion(a, opts, say));
          if (runs('e2e')) {
            part('part 2: end to end (2xx to the state query showing the event)');
            e2e = await attempt(['e2e'], () => runEndToEnd(a, opts, steadyRate(), say));
          }
        } finally {
          await a.stop();
        }
      });
    }
    // What the busy measurements offer: from part 1 when it ran, else a quarter of the fixed rate.
    function steadyRate(): number {
      return ingestion?.steadyRate ?? Math.max(10, Math.round(opts.fixedRate / 40) * 10);
    }

    // The cluster column: the closed loop on a dev server and on the native cluster, alternating.
    let clusters: BenchResults['clusters'];
    if (runs('clusters')) {
      part(
        `cluster column: closed loop x${opts.concurrency} on a dev server and on the native cluster, ${opts.clusterRounds} rounds alternating`,
      );
      clusters = await attempt(['clusters'], () => runClusters(opts, ctx));
    }

    const pragmas = opts.comparePragmas ? await attempt(['pragmas'], () => runPragmas(opts, ctx)) : undefined;

    // 3 and 4: open transactions waiting on timers, with a bounded worker cache.
    let scale: BenchResults['scale'];
    const growth: GrowthPoint[] = [];
    if (runs('scale')) {
      part(`part 3-4: ${opts.scaleTransactions} open transactions, worker cache ${opts.cacheSize}`);
      scale = await attempt(['scale'], () => runScale(opts, steadyRate(), growth, ctx));
    }

    const results: BenchResults = {
      meta: {
        size: opts.size,
        startedAt: new Date(t0).toISOString(),
        finishedAt: new Date().toISOString(),
        durationS: (Date.now() - t0) / 1000,
        commit,
        machine: {
          cpus: cpus().length,
          model: cpus()[0]?.model ?? 'unknown',
          memoryGb: totalmem() / 2 ** 30,
          os: `${platform()} ${release()}`,
        },
        node: process.version,
        temporalCli: readVersion(),
        loadAverage: { before: loadBefore, after: loadavg(), atEachPart },
        layout:
          'Three processes on one machine: the Temporal dev server (startDevServer, SQLite file in a temp dir), Countersign (worker + HTTP receivers + one Temporal client connection, as npm start runs them) and the load generator, forked with child_process.fork so it never shares an event loop with the server under test. The raw baseline is sent from the load generator process.',
        workerEnv: Object.fromEntries(
          Object.entries(process.env).filter(
            (e): e is [string, string] =>
              (e[0].startsWith('WORKER_') || e[0] === 'BENCH_WORKER_OPTIONS') && e[1] !== undefined,
          ),
        ),
        options: Object.fromEntries(
          Object.entries(opts).filter(([k]) => k !== 'progress' && k !== 'outDir'),
        ) as BenchResults['meta']['options'],
        steadyRate: steadyRate(),
      },
      ...(ingestion && { ingestion }),
      ...(clusters && { clusters }),
      ...(e2e && { e2e }),
      ...(pragmas && { pragmas }),
      ...(scale && { scale }),
      growth,
      failures,
      goals: [],
    };
    results.goals = goals(results, { fixedRate: opts.fixedRate, cacheSize: opts.cacheSize, cpus: cpus().length });
    return results;
  } finally {
    if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
    else say(`kept ${work}`);
  }
}

function readVersion(): string {
  try {
    return readFileSync(resolve(__dirname, '..', '.tools', 'bin', 'temporal.version'), 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
