// The bench's goals, report and results file, on results built by hand: no server starts here.
// What a real run produces is the quick test's business (test/bench/quick.test.ts).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOALS, judge, memoryShare } from '../../../bench/goals';
import { benchOptions } from '../../../bench/options';
import { PLOTS, renderReport } from '../../../bench/report';
import type { BenchResults, Run } from '../../../bench/results';
import { mergeResults, writeResults } from '../../../bench/run';
import { summarize } from '../../../bench/stats';

function run(via: Run['via'], perSec: number, p99 = 30): Run {
  const ok = perSec * 10;
  return {
    via,
    callbacks: ok,
    ok,
    outcomes: { '200': ok },
    elapsedMs: 10_000,
    perSec,
    latency: { ...summarize([10, 20]), p99 },
    cpu: { countersign: ok * 3, worker: ok, temporal: ok * 8, loadgen: ok },
    drain: { ms: 2000, cpu: { countersign: 100, worker: 100 } },
  };
}

const meta = (commit: string) => ({
  commit,
  startedAt: '2026-12-06T10:00:00.000Z',
  durationS: 60,
  size: 'full',
  temporal: 'a fresh dev server',
  loadAverage: { before: [1, 1, 1], after: [2, 2, 2] },
});

function results(): BenchResults {
  const step = (open: number, cached: number, rssMb: number) => ({
    open,
    cachedWorkflows: cached,
    rssBytes: rssMb * 2 ** 20,
    ack: summarize([5, 9]),
    ackOk: 3,
    ackSent: 3,
  });
  return {
    version: 2,
    machine: { cpus: 2, model: 'test CPU', memoryGb: 8, node: 'v20' },
    parts: {
      ingestion: {
        byRate: [25, 200].map((rate) => ({ rate, receivers: run('receivers', rate, rate / 2), raw: run('raw', rate) })),
        closed: { receivers: run('receivers', 95), raw: run('raw', 100), ratio: 0.95, roundRatios: [0.95] },
        concurrency: 32,
        refusedByReason: {},
      },
      scale: {
        cacheSize: 100,
        startPerSec: 50,
        baseline: { rssBytes: 100 * 2 ** 20, cachedWorkflows: 0 },
        // 1 MB per cached workflow until full at 100; then 0.05 MB per further open transaction.
        steps: [step(50, 50, 150), step(100, 100, 200), step(200, 100, 205), step(400, 100, 215)],
        timers: {
          expected: 400,
          expired: 399,
          allExpiredAfterMs: null,
          timeline: [
            [0, 0, 0],
            [60, 400, 399],
          ],
        },
      },
      cluster: {
        columns: [
          {
            name: 'dev server',
            label: 'dev',
            ...{ receivers: run('receivers', 90), raw: run('raw', 100) },
            ratio: 0.9,
            roundRatios: [0.9],
          },
          {
            name: 'native cluster',
            label: 'pg',
            ...{ receivers: run('receivers', 80), raw: run('raw', 100) },
            ratio: 0.8,
            roundRatios: [0.8],
          },
        ],
        order: ['dev server', 'native cluster'],
      },
    },
    meta: { ingestion: meta('abc1234'), scale: meta('abc1234'), cluster: meta('def5678') },
    failures: { history: 'dev server did not start' },
  };
}

describe('the goal table', () => {
  it('has one row per goal, each with a metric, a threshold, a comparator and a unit', () => {
    for (const g of GOALS)
      expect([typeof g.metric, typeof g.threshold, ['>=', '<=', '<'].includes(g.comparator), typeof g.unit]).toEqual([
        'string',
        'number',
        true,
        'string',
      ]);
  });

  it('judges each row by its comparator, and leaves what was not measured unjudged', () => {
    const verdicts = judge(results());
    const byMetric = (re: RegExp) => verdicts.find((v) => re.test(v.goal.metric))!;
    expect(byMetric(/closed loop/)).toMatchObject({ value: 0.95, met: true });
    // The last rate is the goal rate: 100 ms at 200/s misses `< 50`.
    expect(byMetric(/p99/)).toMatchObject({ value: 100, met: false });
    expect(byMetric(/memory/).value).toBeCloseTo(0.05);
    expect(byMetric(/memory/).met).toBe(true);
    expect(byMetric(/timer fired/)).toMatchObject({ value: 399 / 400, met: false });
    expect(byMetric(/history events/)).toMatchObject({ value: undefined, met: null });
    expect(byMetric(/dev server/)).toMatchObject({ value: 0.9, met: true });
    expect(byMetric(/native cluster/)).toMatchObject({ value: 0.8, met: false });
    const lenient = judge(results(), [{ ...byMetric(/native cluster/).goal, threshold: 0.8, comparator: '>=' }]);
    expect(lenient[0].met).toBe(true);
  });

  it('needs two steps with the cache full to judge memory', () => {
    const r = results();
    r.parts.scale!.steps = r.parts.scale!.steps.slice(0, 2);
    expect(memoryShare(r)).toBeUndefined();
  });
});

describe('the report', () => {
  const { markdown, plots } = renderReport(results());

  it('shows the goals, each part with its commit, and why a part has no numbers', () => {
    expect(markdown).toContain(
      '| p99 answer through the receivers at the goal rate (200/s) | < 50 ms | 100.0 ms | **no** |',
    );
    expect(markdown).toMatch(/^ratio: 0\.95$/m);
    expect(markdown).toContain('| goal | threshold | measured | met |\n| --- | --- | --- | --- |\n');
    expect(markdown).toContain('on commit def5678');
    expect(markdown).toContain('**This part failed:** dev server did not start');
    expect(markdown).toContain('**Timers fired: 399 of 400**');
    expect(markdown).toContain('| 400 | 100 | 215 |');
    // 300 ms of Countersign CPU over 100 callbacks in each closed-loop receivers run.
    expect(markdown).toContain(
      '| HTTP receivers | 950 / 950 | 95 | 79 | 10.0 / 30.0 | 3.00 | 1.00 | 8.00 | – | 1.00 |',
    );
    expect(markdown).toContain('**ratio 0.800** (rounds 0.80)');
  });

  it('draws a plot for every part measured, and links each', () => {
    expect(Object.keys(plots).sort()).toEqual([PLOTS.byRate, PLOTS.memory, PLOTS.timers].sort());
    for (const [name, svg] of Object.entries(plots)) {
      expect(svg).toMatch(/^<svg[\s\S]*<path d="M/);
      expect(markdown).toContain(`(${name})`);
    }
  });
});

describe('results.json', () => {
  it('keeps the parts a run did not measure, and replaces those it did', () => {
    const earlier = results();
    const now: BenchResults = {
      ...results(),
      parts: { history: { shapes: [] } },
      meta: { history: meta('new0001') },
      failures: {},
    };
    const merged = mergeResults(earlier, now);
    expect(merged.meta.history!.commit).toBe('new0001');
    expect(merged.failures).toEqual({});
    expect(merged.parts.ingestion).toEqual(earlier.parts.ingestion);
    expect(mergeResults({ ...earlier, version: 1 } as unknown as BenchResults, now)).toBe(now);
  });

  it('is written without the raw answer times, and renders the same report again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
    try {
      const r = results();
      r.parts.ingestion!.closed.raw.samples = [1, 2, 3];
      writeResults(dir, r);
      const json = readFileSync(join(dir, 'results.json'), 'utf8');
      expect(json).not.toContain('samples');
      expect(renderReport(JSON.parse(json) as BenchResults).markdown).toBe(
        readFileSync(join(dir, 'REPORT.md'), 'utf8'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('options', () => {
  it('runs ingestion, scale and history unless asked, the cluster column with --cluster', () => {
    expect(benchOptions([], {}).parts).toEqual(['ingestion', 'scale', 'history']);
    expect(benchOptions(['--cluster'], {}).parts).toEqual(['ingestion', 'scale', 'history', 'cluster']);
    expect(benchOptions(['--parts', 'history', '--quick'], {})).toMatchObject({ parts: ['history'], size: 'quick' });
    expect(benchOptions([], { BENCH_OPTIONS: '{"transactions":5}' }).transactions).toBe(5);
  });

  it('refuses what it does not know, naming it', () => {
    expect(() => benchOptions(['--parts', 'scale,speed'], {})).toThrow(/speed/);
    expect(() => benchOptions(['--fast'], {})).toThrow(/--fast/);
    expect(() => benchOptions([], { BENCH_SIZE: 'huge' })).toThrow(/BENCH_SIZE/);
  });
});

describe('the committed run and the bench itself', () => {
  const bench = join(__dirname, '..', '..', '..', 'bench');

  it('measures every goal, and its REPORT.md is the one results.json renders', () => {
    const results = JSON.parse(readFileSync(join(bench, 'results', 'results.json'), 'utf8')) as BenchResults;
    expect(
      judge(results)
        .filter((v) => v.met === null)
        .map((v) => v.goal.metric),
    ).toEqual([]);
    const { markdown, plots } = renderReport(results);
    expect(markdown).toBe(readFileSync(join(bench, 'results', 'REPORT.md'), 'utf8'));
    for (const [file, svg] of Object.entries(plots))
      expect(svg).toBe(readFileSync(join(bench, 'results', file), 'utf8'));
  });

  it('stays lean: under 2 000 lines of TypeScript', () => {
    const lines = readdirSync(bench, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .reduce((n, f) => n + readFileSync(join(bench, f), 'utf8').split('\n').length - 1, 0);
    expect(lines).toBeGreaterThan(1000);
    expect(lines).toBeLessThan(2000);
  });
});
