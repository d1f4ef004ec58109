// CI runs the benchmark code at a tiny size: every scenario runs for real (dev server, worker,
// receivers, load generator in its own process) and writes its report. No timing assertions:
// speed is the full run's business, not a test's.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench, type BenchResults } from '../bench/bench';
import { benchOptions } from '../bench/options';
import { PLOTS, writeResults } from '../bench/report';

const finite = (v: number) => expect(Number.isFinite(v)).toBe(true);

describe('bench (smoke size)', () => {
  const out = mkdtempSync(join(tmpdir(), 'countersign-bench-smoke-'));
  let results: BenchResults;
  const lines: string[] = [];

  beforeAll(async () => {
    const opts = benchOptions({ BENCH_SIZE: 'smoke' }, out, (line) => void lines.push(line));
    results = await runBench(opts);
    writeResults(out, results);
  }, 300_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('prints progress while it runs', () => {
    expect(lines.some((l) => /part 1/.test(l))).toBe(true);
    expect(lines.some((l) => /timers:/.test(l))).toBe(true);
  });

  it('gets every ingestion callback accepted, through the receivers and raw', () => {
    expect(results.failures).toEqual([]);
    const ingestion = results.ingestion!;
    const { fixed, saturation } = ingestion;
    for (const run of [
      fixed.receivers,
      fixed.raw,
      saturation.receivers,
      saturation.raw,
      ...ingestion.sweep,
      ...ingestion.sweepRaw,
    ]) {
      // Every callback answered; on a starved CI machine a rare one may time out (503), never more.
      expect(run.latency.count).toBe(run.callbacks);
      expect({ via: run.via, outcomes: run.outcomes, okShare: run.ok / run.callbacks >= 0.95 }).toEqual({
        via: run.via,
        outcomes: run.outcomes,
        okShare: true,
      });
      expect(run.failed).toBe(run.callbacks - run.ok);
      // Countersign as npm start runs it: the worker's process measured beside the HTTP app's,
      // and each run followed until the workflow tasks it caused were done.
      expect(run.countersign.workerProcessCpuPercent).toBeGreaterThanOrEqual(0);
      expect(run.drain?.ms).toBeGreaterThan(0);
      expect(run.latency.p50).toBeLessThanOrEqual(run.latency.p99);
      expect(run.latency.p99).toBeLessThanOrEqual(run.latency.max);
      finite(run.callbacksPerSec);
    }
    // Nothing refused for what the request said (auth, checksum, shape); Signhost would still answer 200.
    const { unavailable = 0, ...forTheRequest } = ingestion.refusedByReason;
    expect(forTheRequest).toEqual({});
    expect(unavailable).toBeLessThanOrEqual(ingestion.callbacksAccepted * 0.05);
    // Measured runs plus the warm-up, all counted by the receivers themselves.
    expect(ingestion.callbacksAccepted).toBeGreaterThanOrEqual(
      fixed.receivers.callbacks + saturation.receivers.callbacks,
    );
    finite(ingestion.ratio);
    expect(ingestion.sweep.length).toBeGreaterThan(0);
    expect(ingestion.sweepRaw.map((w) => w.load)).toEqual(ingestion.sweep.map((w) => w.load));
    expect(ingestion.steadyRate).toBeGreaterThan(0);
    expect(results.meta.steadyRate).toBe(ingestion.steadyRate);
  });

  it('measures end to end on new and running workflows, idle and under load', () => {
    const e2e = results.e2e!;
    expect(e2e.idle.created.count).toBe(results.meta.options.e2eSamples);
    expect(e2e.idle.running.count).toBe(results.meta.options.e2eSamples);
    expect(e2e.busy.running.count).toBeGreaterThan(0);
    finite(e2e.idle.running.p99);
    finite(e2e.busy.created.p99);
  });

  it('starts the open transactions, and every timer fires', () => {
    const scale = results.scale!;
    expect(scale.transactions).toBe(results.meta.options.scaleTransactions);
    expect(scale.timers.expired).toBe(scale.transactions);
    expect(scale.timers.allFiredAfterLastDeadlineMs).not.toBeNull();
    expect(scale.timers.lateness.count).toBeGreaterThan(0);
    expect(scale.timers.lateness.p50).toBeGreaterThanOrEqual(0);
  });

  it('keeps the worker cache within its configured size as transactions grow', () => {
    expect(results.growth.map((g) => g.open)).toEqual(results.meta.options.checkpoints);
    for (const g of results.growth) {
      expect(g.numCachedWorkflows).toBeLessThanOrEqual(results.meta.options.cacheSize);
      expect(g.ackOk).toBe(g.ackSent);
      finite(g.ack.p99);
      expect(g.rssBytes).toBeGreaterThan(0);
    }
  });

  it('writes the report, the raw results and the plots', () => {
    const report = readFileSync(join(out, 'REPORT.md'), 'utf8');
    expect(report).toMatch(/^ratio: \d+\.\d\d$/m);
    for (const heading of ['## Goals', '## 1. Callback ingestion', '## 2. End to end', '## 3. Scale', '## 4. Growth'])
      expect(report).toContain(heading);
    expect(report).toContain('load average');
    expect(results.goals).toHaveLength(4);
    expect((JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults).ingestion!.ratio).toBeCloseTo(
      results.ingestion!.ratio,
    );
    for (const plot of Object.values(PLOTS)) {
      expect(existsSync(join(out, plot))).toBe(true);
      const svg = readFileSync(join(out, plot), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('<path');
      expect(report).toContain(`(${plot})`);
    }
  });
});
