// The bench's arithmetic on made-up runs: merging runs, the ratios, percentiles and the plots'
// axes. A wrong sum here would move every figure of the report without any run failing.
import { asRun, compare, mergeRuns } from '../../../bench/harness/measure';
import type { Run } from '../../../bench/results';
import { drainedRate, perCallback } from '../../../bench/results';
import { percentile, seededRandom, summarize } from '../../../bench/stats';
import { barChart, lineChart, ticks } from '../../../bench/svg';

function run(via: Run['via'], samples: number[], elapsedMs: number, drainMs?: number): Run {
  const outcomes = { '200': samples.length - 1, '503': 1 };
  const cpu = { countersign: 100, worker: 40, temporal: 300 };
  const drain = drainMs === undefined ? undefined : { ms: drainMs, cpu: { countersign: 10, worker: 10 } };
  return asRun(via, { outcomes, elapsedMs, samples, lastWorkflowIds: [] }, cpu, drain);
}

describe('a run', () => {
  it('counts only 2xx answers as accepted, and its rate over its own time', () => {
    const r = run('receivers', [1, 2, 3, 4, 5], 2000);
    expect([r.callbacks, r.ok, r.perSec]).toEqual([5, 4, 2]);
    expect(perCallback(r.cpu.countersign, r)).toBe(25);
    expect(perCallback(r.cpu.database, r)).toBeNaN();
  });

  it('merges runs: outcomes and CPU summed, percentiles over every answer, drain only when all drained', () => {
    const merged = mergeRuns([run('raw', [10, 20], 1000, 500), run('raw', [30, 40, 50, 60], 3000, 1500)]);
    expect(merged.outcomes).toEqual({ '200': 4, '503': 2 });
    expect([merged.ok, merged.elapsedMs, merged.perSec]).toEqual([4, 4000, 1]);
    expect(merged.latency).toEqual({ count: 6, p50: 30, p99: 60, max: 60 });
    expect(merged.cpu).toEqual({
      countersign: 200,
      worker: 80,
      temporal: 600,
      database: undefined,
      loadgen: undefined,
    });
    expect(merged.drain).toEqual({
      ms: 2000,
      cpu: { countersign: 20, worker: 20, temporal: undefined, database: undefined, loadgen: undefined },
    });
    expect(drainedRate(merged)).toBeCloseTo(4 / 6);
    expect(mergeRuns([run('raw', [1], 1000, 500), run('raw', [1], 1000)]).drain).toBeUndefined();
  });

  it('compares receivers with raw by answer rate and, when drained, by the time to drained', () => {
    const c = compare([run('receivers', [1, 2, 3], 1000, 1000)], [run('raw', [1, 2, 3], 500, 1500)], [0.5]);
    expect(c.ratio).toBeCloseTo(0.5);
    expect(c.drainedRatio).toBeCloseTo(1);
    expect(compare([run('receivers', [1], 1000)], [run('raw', [1], 1000)], []).drainedRatio).toBeUndefined();
  });
});

describe('stats', () => {
  it('takes percentiles by nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(sorted, 0.5), percentile(sorted, 0.99), percentile(sorted, 1)]).toEqual([50, 99, 100]);
    expect(summarize([])).toEqual({ count: 0, p50: NaN, p99: NaN, max: NaN });
  });

  it('draws the same sequence from the same seed', () => {
    const [a, b, c] = [seededRandom(7), seededRandom(7), seededRandom(8)];
    const draw = (r: () => number) => [r(), r(), r()];
    const first = draw(a);
    expect(draw(b)).toEqual(first);
    expect(draw(c)).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('plots', () => {
  it('puts ticks at 1, 2 or 5 times a power of ten, covering the data', () => {
    expect(ticks(87, false)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(ticks(1000, true, 5)).toEqual([5, 10, 20, 50, 100, 200, 500, 1000]);
  });

  it('draws one path per series that has points, and escapes names', () => {
    const svg = lineChart({
      title: 'a <b>',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'one',
          points: [
            [1, 1],
            [2, 4],
          ],
        },
        { name: 'none', points: [] },
      ],
    });
    expect(svg.match(/<path /g)).toHaveLength(1);
    expect(svg).toContain('a &lt;b&gt;');
  });

  it('draws bars in proportion to their values', () => {
    const svg = barChart('t', [
      { name: 'a', value: 1, note: '1' },
      { name: 'b', value: 4, note: '4' },
    ]);
    const widths = [...svg.matchAll(/<rect x="200" y="\d+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths[1]).toBeCloseTo(widths[0] * 4);
  });
});
