// The benchmark's cluster column: how it is asked for, how its section is written and kept,
// and that its goals are judged per column. Results are built by hand: running the part
// needs a native cluster (`npm run bench -- --cluster`), which CI does not have.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLUSTERS_END,
  CLUSTERS_PLOT,
  CLUSTERS_START,
  extractClusterSection,
  placeClusterSection,
  renderClusterSection,
} from '../../bench/cluster-section';
import { goals } from '../../bench/goals';
import { drainedRate, runCpuPerCallback, systemCpuPerCallback } from '../../bench/measure';
import { benchOptions } from '../../bench/options';
import { writeResults } from '../../bench/report';
import type { BenchResults, ClusterColumn, IngestionRun } from '../../bench/results';
import { summarize } from '../../bench/stats';

function run(via: IngestionRun['via'], perSec: number, countersignCpuPercent: number, database?: number): IngestionRun {
  const wallMs = 10_000;
  const ok = (perSec * wallMs) / 1000;
  return {
    via,
    load: { concurrency: 32 },
    callbacks: ok,
    signals: ok,
    ok,
    failed: 0,
    outcomes: { '200': ok },
    elapsedMs: wallMs,
    callbacksPerSec: perSec,
    signalsPerSec: perSec,
    latency: summarize([10, 20, 30, 40]),
    countersign: { wallMs, cpuPercent: countersignCpuPercent, rssBytes: 1 },
    temporal: { wallMs, cpuPercent: 100, rssBytes: 1 },
    ...(database !== undefined && { database: { wallMs, cpuPercent: database, rssBytes: 0 } }),
    loadgenCpuPercent: 10,
  };
}

function column(
  name: ClusterColumn['name'],
  receiversPerSec: number,
  rawPerSec: number,
  database?: number,
): ClusterColumn {
  const receivers = run('receivers', receiversPerSec, 40, database);
  const raw = run('raw', rawPerSec, 10, database);
  // 40 % of a core over 10 s is 4 000 ms of CPU.
  const receiversCpuMs = 4000 / receivers.ok;
  const workerCpuMs = 1000 / raw.ok;
  return {
    name,
    label: name,
    receivers,
    raw,
    ratio: receiversPerSec / rawPerSec,
    roundRatios: [0.9, 0.95],
    receiversCpuMs,
    workerCpuMs,
    beyondWorkerCpuMs: receiversCpuMs - workerCpuMs,
  };
}

function results(parts: string): BenchResults {
  const {
    progress: _p,
    outDir: _o,
    ...options
  } = benchOptions({ BENCH_SIZE: 'smoke', BENCH_PARTS: parts }, '/tmp/unused', () => undefined);
  const r: BenchResults = {
    meta: {
      size: 'smoke',
      startedAt: '2026-12-01T13:00:00.000Z',
      finishedAt: '2026-12-01T13:05:00.000Z',
      durationS: 300,
      commit: 'abc1234',
      machine: { cpus: 2, model: 'test CPU', memoryGb: 24, os: 'linux' },
      node: 'v20',
      temporalCli: '1.9.1',
      loadAverage: { before: [1, 1, 1], after: [2, 2, 2], atEachPart: {} },
      layout: 'three processes',
      workerEnv: {},
      options,
      steadyRate: 10,
    },
    clusters: {
      columns: [column('dev server', 95, 100), column('native cluster', 80, 100, 50)],
      order: ['dev server', 'native cluster', 'native cluster', 'dev server'],
      loadAverage: [
        [3, 3, 3],
        [4, 4, 4],
        [5, 5, 5],
        [4, 4, 4],
        [3, 3, 3],
      ],
    },
    growth: [],
    failures: [],
    goals: [],
  };
  r.goals = goals(r, { fixedRate: options.fixedRate, cacheSize: options.cacheSize, cpus: 2 });
  return r;
}

describe('bench cluster column options', () => {
  it('is off by default and added by BENCH_CLUSTER=1 to the parts chosen', () => {
    expect(benchOptions({}, '/tmp/x', () => undefined).parts).not.toContain('clusters');
    expect(benchOptions({ BENCH_CLUSTER: '1' }, '/tmp/x', () => undefined).parts).toEqual([
      'ingestion',
      'e2e',
      'scale',
      'clusters',
    ]);
    expect(benchOptions({ BENCH_CLUSTER: '1', BENCH_PARTS: 'ingestion' }, '/tmp/x', () => undefined).parts).toEqual([
      'ingestion',
      'clusters',
    ]);
    expect(benchOptions({ BENCH_PARTS: 'clusters' }, '/tmp/x', () => undefined).parts).toEqual(['clusters']);
  });

  it('refuses a BENCH_CLUSTER that is not 1 or 0, naming the variable', () => {
    expect(() => benchOptions({ BENCH_CLUSTER: 'yes' }, '/tmp/x', () => undefined)).toThrow(/BENCH_CLUSTER/);
  });
});

describe('bench cluster column report', () => {
  const r = results('clusters');
  const section = renderClusterSection(r)!;

  it('shows both columns with their ratio, the receivers path beyond the worker and the database', () => {
    expect(section.startsWith(CLUSTERS_START)).toBe(true);
    expect(section.endsWith(CLUSTERS_END)).toBe(true);
    expect(section).toContain('| measure | dev server | native cluster |');
    expect(section).toContain('ratio (dev server): 0.95');
    expect(section).toContain('ratio (native cluster): 0.80');
    // 4 000 ms over 950 callbacks, less 1 000 ms over 1 000.
    expect(section).toContain(`**${(4000 / 950 - 1).toFixed(2)} ms**`);
    expect(section).toMatch(/PostgreSQL CPU per callback[^\n]*in-process \(SQLite\)[^\n]*ms \|/);
    expect(section).toContain('dev server, native cluster, native cluster, dev server');
    expect(section).toContain(`](${CLUSTERS_PLOT})`);
  });

  it("adds every process's CPU per callback in the runs and the ratio it predicts", () => {
    const [dev, native] = r.clusters!.columns;
    // Countersign 4 000 ms, the server 10 000 ms and the load generator 1 000 ms, over 950 callbacks.
    expect(runCpuPerCallback(dev.receivers)).toBeCloseTo(15_000 / 950);
    expect(runCpuPerCallback(dev.raw)).toBeCloseTo(12);
    // The cluster's PostgreSQL adds 5 000 ms to each.
    expect(runCpuPerCallback(native.receivers)).toBeCloseTo(25);
    expect(runCpuPerCallback(native.raw)).toBeCloseTo(17);
    expect(section).toContain(`| ${(15_000 / 950).toFixed(1)} / 12.0 ms | 25.0 / 17.0 ms |`);
    expect(section).toContain(`| ${(12 / (15_000 / 950)).toFixed(3)} | ${(17 / 25).toFixed(3)} |`);
    // A run without the load generator's share cannot be added up.
    const { loadgenCpuPercent: _l, ...withoutLoadgen } = dev.raw;
    expect(runCpuPerCallback(withoutLoadgen)).toBeUndefined();
  });

  it('adds the ratio with each run timed until its workflow tasks were done, and the split by process', () => {
    const drainedResults = results('clusters');
    const use = (wallMs: number, cpuPercent: number) => ({ wallMs, cpuPercent, rssBytes: 1 });
    for (const col of drainedResults.clusters!.columns) {
      // A quarter of the receivers runs' Countersign CPU was the worker's own process.
      col.receivers.countersign.workerProcessCpuPercent = 10;
      col.receivers.drain = { ms: 1000, countersign: use(1000, 50), temporal: use(1000, 100) };
      col.raw.drain = { ms: 3000, countersign: use(3000, 50), temporal: use(3000, 100) };
      col.drainedRatio = drainedRate(col.receivers)! / drainedRate(col.raw)!;
      col.drainedRoundRatios = [1, 1.1];
    }
    const dev = drainedResults.clusters!.columns[0];
    // 950 callbacks answered in 10 s and drained 1 s later, against 1 000 in 10 s plus 3 s.
    expect(drainedRate(dev.receivers)).toBeCloseTo(950 / 11);
    expect(drainedRate(dev.raw)).toBeCloseTo(1000 / 13);
    // Countersign 4 000 ms + server 10 000 ms in the run, 500 + 1 000 ms in the drain.
    expect(systemCpuPerCallback(dev.receivers)).toBeCloseTo(15_500 / 950);
    expect(systemCpuPerCallback(dev.raw)).toBeCloseTo((1000 + 10_000 + 1500 + 3000) / 1000);
    const text = renderClusterSection(drainedResults)!;
    expect(text).toContain(`**${(950 / 11 / (1000 / 13)).toFixed(3)}** (rounds: 1.00, 1.10)`);
    expect(text).toContain(`| ${(950 / 11).toFixed(0)} / ${(1000 / 13).toFixed(0)} |`);
    expect(text).toMatch(/workflow tasks done after the last answer[^\n]*\| 1\.0 \/ 3\.0 s \|/);
    expect(text).toContain(`| ${(15_500 / 950).toFixed(1)} / 15.5 ms |`);
    expect(text).toContain(`| ${(3000 / 950).toFixed(2)} / ${(1000 / 950).toFixed(2)} ms |`);
    // Without drains or a worker process, neither row is written.
    expect(section).not.toContain('until its workflow tasks were done**');
    expect(section).not.toContain('the HTTP app / the worker process');
  });

  it('judges the ratio goal per column', () => {
    const own = r.goals.filter((g) => /cluster column/.test(g.goal));
    expect(own.map((g) => [g.goal.replace(/^.* on the (.*) \(cluster column\)$/, '$1'), g.met])).toEqual([
      ['dev server', true],
      ['native cluster', false],
    ]);
  });

  it('puts the section after part 1, replaces it in place, and keeps the rest of the report', () => {
    const report = '# Countersign benchmark\n\n## 1. Callback ingestion\n\ntext\n\n## 2. End to end\n\nmore\n';
    const placed = placeClusterSection(report, section);
    expect(placed.indexOf(CLUSTERS_START)).toBeGreaterThan(placed.indexOf('## 1.'));
    expect(placed.indexOf(CLUSTERS_END)).toBeLessThan(placed.indexOf('## 2.'));
    const again = placeClusterSection(placed, `${CLUSTERS_START}\nnew\n${CLUSTERS_END}`);
    expect(extractClusterSection(again)).toBe(`${CLUSTERS_START}\nnew\n${CLUSTERS_END}`);
    expect(again.replace(/\n<!-- clusters:start -->[\s\S]*<!-- clusters:end -->\n/, '')).toBe(report);
    expect(placeClusterSection('# no parts\n', section)).toBe(`# no parts\n\n${section}\n`);
  });

  it('a run of the cluster column alone rewrites only its section of the committed report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-cluster-column-'));
    try {
      const committed =
        '# Countersign benchmark\n\n## 1. Callback ingestion\n\nmeasured before\n\n## 2. End to end\n\nalso before\n';
      writeFileSync(join(dir, 'REPORT.md'), committed);
      writeFileSync(join(dir, 'results.json'), '{"kept":true}\n');
      writeResults(dir, r);
      const report = readFileSync(join(dir, 'REPORT.md'), 'utf8');
      expect(report).toContain('measured before');
      expect(report).toContain('also before');
      expect(extractClusterSection(report)).toBe(section);
      expect(readFileSync(join(dir, 'results.json'), 'utf8')).toBe('{"kept":true}\n');
      expect(
        (JSON.parse(readFileSync(join(dir, 'clusters.json'), 'utf8')) as { clusters: { columns: unknown[] } }).clusters
          .columns,
      ).toHaveLength(2);
      expect(readFileSync(join(dir, CLUSTERS_PLOT), 'utf8')).toMatch(/^<svg/);
      // A run of the column alone that failed rewrites nothing.
      const failed = results('clusters');
      delete failed.clusters;
      failed.failures.push({ part: 'clusters', error: 'npm run cluster failed' });
      expect(writeResults(dir, failed)).toEqual([]);
      expect(extractClusterSection(readFileSync(join(dir, 'REPORT.md'), 'utf8'))).toBe(section);
      expect(readFileSync(join(dir, 'REPORT.md'), 'utf8')).toContain('measured before');
      // A later run without the column keeps the section measured last.
      const without = results('scale');
      delete without.clusters;
      writeResults(dir, without);
      expect(extractClusterSection(readFileSync(join(dir, 'REPORT.md'), 'utf8'))).toBe(section);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
