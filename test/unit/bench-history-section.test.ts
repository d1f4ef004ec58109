// The "history per callback" section of the bench report: rendered from what
// `npm run bench:history` measured, and put in REPORT.md between its markers so re-running it
// replaces that section only, and `npm run bench` rewriting the rest keeps it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  extractSection,
  historyBarChart,
  renderHistorySection,
  replaceSection,
  SECTION_END,
  SECTION_START,
  type HistoryBenchResults,
  type HistoryShape,
} from '../../bench/history-section';
import { benchOptions } from '../../bench/options';
import { writeResults } from '../../bench/report';
import type { BenchResults } from '../../bench/results';

function shape(name: string, over: Partial<HistoryShape> = {}): HistoryShape {
  return {
    name,
    traffic: `${name} traffic`,
    callbacks: 201,
    accepted: 201,
    refused: {},
    finalStatus: 'signed',
    runs: 3,
    events: 1_206,
    eventsPerCallback: 6,
    largestRun: { events: 998, bytes: 512 * 1024 },
    replayMs: { median: 812.4, samples: [900, 812.4, 700] },
    warmReplayMs: { median: 41.25, samples: [40, 41.25, 50] },
    wallMs: 12_340,
    ...over,
  };
}

function results(shapes: HistoryShape[], failures: HistoryBenchResults['failures'] = []): HistoryBenchResults {
  return {
    meta: {
      startedAt: '2026-12-01T10:00:00.000Z',
      finishedAt: '2026-12-01T10:07:00.000Z',
      durationS: 420,
      commit: 'abc1234',
      machine: { cpus: 2, model: 'test CPU' },
      node: 'v20',
      loadAverage: { before: [1, 1, 1], after: [2, 2, 2] },
      sizes: { duplicates: 200, postbacks: 200, activities: 5_000, activitiesPerPostback: 100 },
    },
    shapes,
    failures,
  };
}

const REPORT = '# Benchmark report\n\nratio: 0.96\n\n## 4. Growth\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n';

describe('the history section', () => {
  it('has one table row per shape with its events per callback, largest run and replay time', () => {
    const section = renderHistorySection(
      results([
        shape('duplicates'),
        shape('distinct', { eventsPerCallback: 7.25, largestRun: { events: 29, bytes: 443_245 } }),
      ]),
    );
    expect(section.startsWith(SECTION_START)).toBe(true);
    expect(section.endsWith(SECTION_END)).toBe(true);
    expect(section).toContain('## History per callback and the cost of a cache miss');
    expect(section).toContain(
      '| duplicates traffic | 201 (201) | signed | 3 | 1,206 | **6.00** | 998 | 512 KB | **812** | 41.3 | 12.3 |',
    );
    expect(section).toContain('| distinct traffic | 201 (201) | signed | 3 | 1,206 | **7.25** | 29 | 433 KB |');
    expect(section).toContain('(history-per-callback.svg)');
  });

  it('says which shapes failed and why, and links no plot when nothing was measured', () => {
    const section = renderHistorySection(results([], [{ shape: 'cumulative', error: 'workflow did not end' }]));
    expect(section).toContain('- cumulative: workflow did not end');
    expect(section).not.toContain('| traffic |');
    expect(section).not.toContain('.svg');
  });
});

describe('putting the section in the report', () => {
  const first = renderHistorySection(results([shape('duplicates')]));
  const second = renderHistorySection(results([shape('duplicates', { eventsPerCallback: 1.2 })]));

  it('appends it to a report that has none, leaving the rest as it was', () => {
    const out = replaceSection(REPORT, first);
    expect(out.startsWith(REPORT)).toBe(true);
    expect(extractSection(out)).toBe(first);
    expect(out.endsWith(`${SECTION_END}\n`)).toBe(true);
  });

  it('replaces only the text between the markers when run again', () => {
    const once = replaceSection(`${REPORT}\n${first}\n\n## After\n\ntext after\n`, second);
    expect(once).toBe(`${REPORT}\n${second}\n\n## After\n\ntext after\n`);
    expect(once).not.toContain('**6.00**');
    expect(replaceSection(once, second)).toBe(once);
  });

  it('takes the section literally, even with replacement patterns in it', () => {
    const odd = renderHistorySection(results([shape('dollars', { traffic: 'costs $& and $1' })]));
    expect(extractSection(replaceSection(replaceSection(REPORT, first), odd))).toBe(odd);
  });

  it('is kept when npm run bench rewrites the rest of the report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'history-section-'));
    writeFileSync(join(dir, 'REPORT.md'), replaceSection('# an older report\n', first));
    const options = benchOptions({ BENCH_SIZE: 'smoke', BENCH_PARTS: 'scale' }, dir, () => undefined);
    const { progress: _progress, outDir: _outDir, ...rest } = options;
    const r: BenchResults = {
      meta: {
        size: 'smoke',
        startedAt: '2026-12-01T10:00:00.000Z',
        finishedAt: '2026-12-01T10:05:00.000Z',
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
      growth: [],
      failures: [{ part: 'scale', error: 'stopped' }],
      goals: [],
    };
    let report: string;
    try {
      writeResults(dir, r);
      report = readFileSync(join(dir, 'REPORT.md'), 'utf8');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(report).not.toContain('an older report');
    expect(report).toContain('## 4. Growth');
    expect(extractSection(report)).toBe(first);
  });
});

describe('the bar plot', () => {
  it('draws one bar per shape, longest for the most events per callback, with names escaped', () => {
    const svg = historyBarChart([shape('a<b', { eventsPerCallback: 2 }), shape('c', { eventsPerCallback: 8 })]);
    const widths = [...svg.matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)" height="34"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[1]).toBeCloseTo(widths[0] * 4, 0);
    expect(svg).toContain('a&lt;b');
    expect(svg).not.toContain('a<b');
  });
});
