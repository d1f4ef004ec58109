// `npm run bench [-- --quick] [--cluster] [--parts a,b] [--render file]`: measures the parts
// asked for, merges them into results.json (the other parts stay as last measured, each with
// its own commit and date) and renders REPORT.md from it. BENCH_OUT=dir writes elsewhere,
// BENCH_KEEP=1 keeps the temp dir (logs, SQLite files).
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleWorkflows } from '../src/temporal/workflow-bundle';
import { judge } from './goals';
import { givenCluster, type Context } from './harness/setup';
import { benchOptions, type BenchOptions } from './options';
import { runCluster } from './parts/cluster';
import { runHistory } from './parts/history';
import { runIngestion } from './parts/ingestion';
import { runScale } from './parts/scale';
import { writeReport } from './report';
import type { BenchResults, PartName, Parts } from './results';

const RUNNERS: { [P in PartName]: (ctx: Context, o: BenchOptions) => Promise<NonNullable<Parts[P]>> } = {
  ingestion: runIngestion,
  scale: runScale,
  history: runHistory,
  cluster: runCluster,
};

/** The commit, marked when `src` or `bench` differ from it: read before anything loads. */
function codeVersion(): string {
  const cwd = resolve(__dirname, '..');
  const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: 'pipe' }).trim();
  try {
    const dirty = git('status', '--porcelain', '--', 'src', 'bench') ? ' (with local changes)' : '';
    return git('rev-parse', '--short', 'HEAD') + dirty;
  } catch {
    return 'unknown';
  }
}

export async function runBench(o: BenchOptions, progress: (line: string) => void): Promise<BenchResults> {
  const t0 = Date.now();
  const say = (line: string) => progress(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const commit = codeVersion();
  const results: BenchResults = {
    version: 2,
    machine: { cpus: cpus().length, model: cpus()[0].model, memoryGb: totalmem() / 2 ** 30, node: process.version },
    parts: {},
    meta: {},
    failures: {},
  };
  if (loadavg()[0] > cpus().length)
    say(`warning: load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores; numbers will be noisy`);
  const work = mkdtempSync(join(tmpdir(), 'countersign-bench-'));
  try {
    say('bundling the workflows once for every worker and replay');
    const bundlePath = join(work, 'workflows-bundle.js');
    writeFileSync(bundlePath, (await bundleWorkflows()).code);
    const ctx: Context = { work, bundlePath, say };
    for (const part of o.parts) {
      const started = Date.now();
      const before = loadavg();
      say(`${part} (size ${o.size})`);
      const temporal =
        part === 'cluster' ? 'a dev server and the native cluster' : (givenCluster()?.label ?? 'a fresh dev server');
      try {
        (results.parts as Record<string, unknown>)[part] = await RUNNERS[part](ctx, o);
      } catch (err) {
        // A part that fails is written down beside what it measured; the other parts still run.
        results.failures[part] = err instanceof Error ? err.message : String(err);
        const partial = (err as { partial?: unknown }).partial;
        if (partial) (results.parts as Record<string, unknown>)[part] = partial;
        say(`${part} FAILED: ${results.failures[part]}`);
      }
      const [startedAt, durationS] = [new Date(started).toISOString(), (Date.now() - started) / 1000];
      results.meta[part] = {
        commit,
        startedAt,
        durationS,
        size: o.size,
        temporal,
        loadAverage: { before, after: loadavg() },
      };
    }
    return results;
  } finally {
    if (process.env.BENCH_KEEP) say(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

/** The earlier results with the parts just measured in their place. */
export function mergeResults(earlier: BenchResults | undefined, now: BenchResults): BenchResults {
  if (!earlier || earlier.version !== 2) return now;
  const measured = Object.keys(now.meta) as PartName[];
  const keep = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => !measured.includes(k as PartName)));
  return {
    ...now,
    parts: { ...keep(earlier.parts), ...now.parts },
    meta: { ...keep(earlier.meta), ...now.meta },
    failures: { ...keep(earlier.failures), ...now.failures },
  };
}

/** results.json without the raw answer times, which only merging runs needed. */
export function writeResults(dir: string, r: BenchResults): string[] {
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(r, (k, v: unknown) => (k === 'samples' ? undefined : v), 2);
  writeFileSync(join(dir, 'results.json'), `${json}\n`);
  return [join(dir, 'results.json'), ...writeReport(dir, r)];
}

async function main() {
  // The replays run in this process: their SDK log lines would drown the progress.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const o = benchOptions(process.argv.slice(2));
  const out = resolve(process.env.BENCH_OUT ?? join(__dirname, 'results'));
  const read = (file: string) =>
    existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BenchResults) : undefined;
  let results: BenchResults;
  if (o.render) {
    const earlier = read(resolve(o.render));
    if (earlier?.version !== 2) throw new Error(`${o.render} is not a results.json of this bench (version 2)`);
    results = earlier;
  } else {
    results = mergeResults(read(join(out, 'results.json')), await runBench(o, (line) => console.log(line)));
  }
  const files = o.render ? writeReport(out, results) : writeResults(out, results);
  for (const { met, goal, value } of judge(results))
    console.log(
      `${met === null ? 'n/a ' : met ? 'met ' : 'MISS'}  ${goal.metric}: ${value?.toFixed(3) ?? 'not measured'}`,
    );
  console.log(`\nWrote:\n${files.map((f) => `  ${f}`).join('\n')}`);
  if (!o.render && Object.keys(results.failures).some((p) => o.parts.includes(p as PartName))) process.exitCode = 1;
}

if (require.main === module)
  main().catch((err) => {
    console.error('bench failed:', err);
    process.exit(1);
  });
