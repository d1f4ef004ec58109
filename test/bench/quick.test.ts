// The benchmark at its quick size, every part but the cluster column (which needs the native
// cluster's binaries) for real: dev servers, Countersign as `npm start` runs it, the load
// generator in its own process. No timing assertions: speed is the full run's business.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judge } from '../../bench/goals';
import { benchOptions } from '../../bench/options';
import { PLOTS } from '../../bench/report';
import type { BenchResults } from '../../bench/results';
import { runBench, writeResults } from '../../bench/run';

describe('npm run bench -- --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'countersign-bench-quick-'));
  const lines: string[] = [];
  let r: BenchResults;

  beforeAll(async () => {
    r = await runBench(benchOptions(['--quick']), (line) => void lines.push(line));
    writeResults(out, r);
  }, 600_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs every part it was asked for without a failure, and says so as it goes', () => {
    expect(r.failures).toEqual({});
    expect(Object.keys(r.meta)).toEqual(['ingestion', 'scale', 'history']);
    expect(lines.some((l) => /timers: \d+ of \d+ expired/.test(l))).toBe(true);
  });

  it('gets the callbacks accepted both ways, at every rate and in the closed loop', () => {
    const i = r.parts.ingestion!;
    expect(i.byRate.map((b) => b.rate)).toEqual([20, 40]);
    for (const run of [...i.byRate.flatMap((b) => [b.receivers, b.raw]), i.closed.receivers, i.closed.raw]) {
      // On a starved machine a rare callback may time out (503), never more.
      expect(run.ok / run.callbacks).toBeGreaterThanOrEqual(0.95);
      expect(run.latency.count).toBe(run.callbacks);
      expect(run.cpu.countersign).toBeGreaterThan(0);
      expect(run.drain?.ms).toBeGreaterThan(0);
    }
    // Receivers and raw send the same number of callbacks after the first, time-bound run.
    expect(Math.abs(i.closed.receivers.callbacks - i.closed.raw.callbacks)).toBeLessThanOrEqual(4);
    expect(i.closed.ratio).toBeCloseTo(i.closed.receivers.perSec / i.closed.raw.perSec);
    const { unavailable = 0, ...forTheRequest } = i.refusedByReason;
    expect(forTheRequest).toEqual({});
    expect(unavailable).toBeLessThanOrEqual(2);
  });

  it('fires every open transaction’s timer and keeps the cache within its size', () => {
    const s = r.parts.scale!;
    expect(s.timers.expired).toBe(s.timers.expected);
    expect(s.timers.expected).toBe(60);
    expect(s.steps.map((p) => p.open)).toEqual([20, 40, 60]);
    for (const p of s.steps) {
      expect(p.cachedWorkflows).toBeLessThanOrEqual(s.cacheSize);
      expect(p.ackOk).toBe(p.ackSent);
    }
  });

  it('counts history events over the whole chain and replays its largest run', () => {
    const shapes = r.parts.history!.shapes;
    expect(shapes.map((s) => s.name)).toEqual(['duplicates', 'cumulative', 'distinct']);
    for (const s of shapes) {
      expect(s.accepted).toBe(s.callbacks);
      expect(s.finalStatus).toBe('signed');
      // Duplicates share events (the receivers drop repeats), so only a positive count is certain.
      expect(s.events).toBeGreaterThan(0);
      expect(s.eventsPerCallback).toBeCloseTo(s.events / s.callbacks);
      expect(s.largestRun.events).toBeLessThanOrEqual(s.events);
      expect(s.replayMs).toBeGreaterThan(0);
    }
  });

  it('judges every goal of the parts that ran, and writes the report, results.json and plots', () => {
    const verdicts = judge(r);
    expect(verdicts.filter((v) => v.value === undefined).map((v) => v.goal.part)).toEqual(['cluster', 'cluster']);
    const report = readFileSync(join(out, 'REPORT.md'), 'utf8');
    expect(report).toMatch(/^ratio: \d+\.\d\d$/m);
    expect(report).toContain(`on commit ${r.meta.ingestion!.commit}`);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
    expect(json.parts.ingestion!.closed.ratio).toBeCloseTo(r.parts.ingestion!.closed.ratio);
    expect(JSON.stringify(json)).not.toContain('"samples"');
    for (const plot of Object.values(PLOTS)) {
      expect(readFileSync(join(out, plot), 'utf8')).toMatch(/^<svg[\s\S]*<(path|rect x)/);
      expect(report).toContain(`(${plot})`);
    }
    expect(existsSync(join(out, 'results.json'))).toBe(true);
  });
});
