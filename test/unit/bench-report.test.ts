// The bench report when parts are missing: a run whose scale part failed half-way, with
// ingestion not selected, must still write what it measured and say why the rest is absent.
import { goals } from '../../bench/goals';
import { benchOptions } from '../../bench/options';
import { PLOTS, renderPlots, renderReport } from '../../bench/report';
import type { BenchResults, GrowthPoint } from '../../bench/results';
import { summarize } from '../../bench/stats';

const options = benchOptions({ BENCH_SIZE: 'smoke', BENCH_PARTS: 'scale' }, '/tmp/unused', () => undefined);

function growthPoint(open: number, cached: number, rssMb: number): GrowthPoint {
  return {
    open,
    startedPerSec: 40,
    numCachedWorkflows: cached,
    rssBytes: rssMb * 2 ** 20,
    heapUsedBytes: 50 * 2 ** 20,
    ack: summarize([5, 7, 9]),
    ackOk: 3,
    ackSent: 3,
  };
}

function partialRun(): BenchResults {
  const { progress: _progress, outDir: _outDir, ...rest } = options;
  const r: BenchResults = {
    meta: {
      size: 'smoke',
      startedAt: '2026-11-21T23:00:00.000Z',
      finishedAt: '2026-11-21T23:05:00.000Z',
      durationS: 300,
      commit: 'abc1234',
      machine: { cpus: 2, model: 'test CPU', memoryGb: 24, os: 'linux' },
      node: 'v20',
      temporalCli: '1.9.1',
      loadAverage: { before: [0.1, 0.1, 0.1], after: [1, 1, 1], atEachPart: {} },
      layout: 'three processes',
      workerEnv: {},
      options: rest,
      steadyRate: 10,
    },
    growth: [growthPoint(30, 20, 300)],
    failures: [{ part: 'scale', error: 'status:30 not visible after 30 s' }],
    goals: [],
  };
  r.goals = goals(r, { fixedRate: options.fixedRate, cacheSize: options.cacheSize, cpus: 2 });
  return r;
}

describe('bench options', () => {
  it('runs every part unless BENCH_PARTS picks some', () => {
    expect(benchOptions({}, '/tmp/x', () => undefined).parts).toEqual(['ingestion', 'e2e', 'scale']);
    expect(options.parts).toEqual(['scale']);
  });

  it('refuses a part it does not know, naming the variable', () => {
    expect(() => benchOptions({ BENCH_PARTS: 'scale,speed' }, '/tmp/x', () => undefined)).toThrow(/BENCH_PARTS/);
  });
});

describe('bench report with parts missing', () => {
  const r = partialRun();
  const report = renderReport(r);

  it('says which part failed and why, and which were not run', () => {
    expect(report).toContain('**Parts that failed**');
    expect(report).toContain('status:30 not visible after 30 s');
    expect(report).toMatch(/## 1\. Callback ingestion\n\nNot measured: this part was not run/);
    expect(report).toMatch(/## 3\. Scale[^\n]*\n\n\*\*Not measured: this part failed:\*\* status:30/);
    expect(report).toContain('ratio: not measured');
  });

  it('keeps the growth steps measured before the failure', () => {
    expect(report).toMatch(/## 4\. Growth\n\nAt each step/);
    expect(report).toContain('| 30 | 40 | 20 | 300 |');
  });

  it('marks every goal it could not judge as not measured, never as met or missed', () => {
    expect(r.goals).toHaveLength(4);
    for (const g of r.goals) expect(g).toMatchObject({ met: null, measured: expect.stringMatching(/^not measured/) });
    expect(r.goals[0].measured).toBe('not measured: ingestion was not run');
    expect(r.goals[3].measured).toContain('scale failed (status:30');
  });

  it('draws only the plots of parts that measured something, and links each', () => {
    const plots = renderPlots(r);
    expect(Object.keys(plots).sort()).toEqual([PLOTS.growth, PLOTS.growthMemory].sort());
    for (const name of Object.keys(plots)) expect(report).toContain(`(${name})`);
    expect(report).not.toContain(`(${PLOTS.timers})`);
  });
});

describe('bench goals', () => {
  it('judges the ratio unrounded, and shows the third decimal that decides it', () => {
    const r = partialRun();
    const run = (perSec: number) => ({ callbacksPerSec: perSec, latency: summarize([10, 20]) }) as never;
    r.ingestion = {
      fixed: { receivers: run(100), raw: run(100) },
      saturation: { receivers: run(124), raw: run(138) },
      ratio: 124 / 138,
      callbacksAccepted: 0,
      callbacksRefused: 0,
      refusedByReason: {},
      sweep: [],
      sweepRaw: [],
      steadyRate: 60,
    };
    const [ratio, p99] = goals(r, { fixedRate: 200, cacheSize: 20, cpus: 2 });
    expect(ratio).toMatchObject({ measured: expect.stringMatching(/^0\.899 × \(124 vs 138/), met: false });
    expect(p99).toMatchObject({ met: true });
  });
});

describe('bench memory goal', () => {
  const scaleOf = (perCachedKb: number) =>
    ({
      memoryPerCachedWorkflowBytes: perCachedKb * 1024,
      baselineRssBytes: 300 * 2 ** 20,
      timers: { expired: 1, expected: 1 },
    }) as never;

  it('measures growth only between steps that both found the cache full', () => {
    const r = partialRun();
    r.failures = [];
    r.scale = scaleOf(300);
    // The cache fills between 1 000 and 2 500 open: that step's growth is the filling itself.
    r.growth = [
      growthPoint(1000, 1200, 600),
      growthPoint(2500, 2000, 840),
      growthPoint(5000, 2000, 880),
      growthPoint(10_000, 2000, 960),
    ];
    const memory = goals(r, { fixedRate: 200, cacheSize: 2000, cpus: 2 })[2];
    // (960 - 880) MB over 5 000 transactions: 16 KB each, against 300 KB per cached workflow.
    expect(memory).toMatchObject({
      met: true,
      measured: expect.stringContaining('with it full, 16 KB per further open transaction (880 MB at 5000 open'),
    });
  });

  it('calls memory unbounded when it keeps growing like the cache did', () => {
    const r = partialRun();
    r.failures = [];
    r.scale = scaleOf(300);
    r.growth = [growthPoint(2500, 2000, 840), growthPoint(5000, 2000, 1500), growthPoint(10_000, 2000, 2900)];
    expect(goals(r, { fixedRate: 200, cacheSize: 2000, cpus: 2 })[2]).toMatchObject({ met: false });
  });
});
