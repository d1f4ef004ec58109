// The cluster column's section of REPORT.md: the closed loop on the dev server and on the
// native cluster side by side, between two marker comments, so a run of that part alone
// (`BENCH_PARTS=clusters npm run bench -- --cluster`) replaces only this section and a run
// without it keeps the last one measured.
import type { BenchResults, ClusterColumn, IngestionRun, ResourceUse } from './results';
import { cpuPerCallback, drainedRate, runCpuPerCallback, systemCpuPerCallback } from './measure';
import { COLORS, lineChart } from './svg';

export const CLUSTERS_START = '<!-- clusters:start -->';
export const CLUSTERS_END = '<!-- clusters:end -->';
export const CLUSTERS_PLOT = 'clusters-latency.svg';

const ms = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(1);
const perCallback = (u: ResourceUse | undefined, run: IngestionRun) => (u ? cpuPerCallback(u, run) : undefined);
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const rate = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(0));
const drainSeconds = (run: IngestionRun) =>
  run.drain ? (run.drain.ms / 1000 / Math.max(1, run.runs ?? 1)).toFixed(1) : '–';

export function renderClusterSection(r: BenchResults): string | undefined {
  const c = r.clusters;
  if (!c) return undefined;
  const o = r.meta.options;
  const cols = c.columns;
  const out: string[] = [CLUSTERS_START, '## 1b. Dev server and native cluster (`npm run bench -- --cluster`)', ''];
  const loads = c.loadAverage.map((l) => l[0].toFixed(1));
  out.push(
    `${r.meta.startedAt.slice(0, 16).replace('T', ' ')} UTC, commit ${r.meta.commit}, ${r.meta.machine.cpus} cores. The closed loop of part 1 (${o.concurrency} clients; receivers, raw, raw, receivers, or raw, receivers, receivers, raw, the path going first changing every two rounds; the first run lasts ${o.saturationSeconds / 2} s and the three others send as many callbacks; each turn starts with ${o.warmupCallbacks} unmeasured callbacks each way) on a fresh dev server and on the native cluster of \`npm run cluster\`, each with its own Countersign and load generator, all in one run: ${o.clusterRounds} round${o.clusterRounds === 1 ? '' : 's'}, alternating which goes first (${c.order.join(', ')}), every round's runs merged per column. ` +
      `Both stay up for the whole part, so the one idle still costs a little. The machine is shared: 1-minute load average ${loads.join(', ')} at each turn and after; absolute rates move with it, the ratio within a column is what compares. ` +
      "Countersign runs as `npm start` runs it: the HTTP app in one process, the worker in a process of its own; its CPU is both processes', and the worker runs the same workflows in both runs. The receivers path's cost is its CPU per callback in the receivers runs minus that in the raw runs. The raw baseline's own client cost is in the load generator's column. " +
      "A run's answers can outpace its workflow tasks: a saturated server hands some to the worker only after the run, so each run is also timed until none of the workflows its last callbacks went to has a task pending, and that time's CPU is counted in the drain rows. The server's CPU is the Temporal server process (the dev server holds SQLite in-process); the cluster's PostgreSQL (postmaster and backends) is counted on its own row when this run started it.",
    '',
  );
  const both = (f: (col: ClusterColumn) => string) => cols.map(f);
  const cpuPair = (col: ClusterColumn, pick: (run: IngestionRun) => ResourceUse | undefined) =>
    `${ms(perCallback(pick(col.receivers), col.receivers))} / ${ms(perCallback(pick(col.raw), col.raw))} ms`;
  const rows: string[][] = [
    ['Temporal', ...both((col) => col.label)],
    [
      '**receivers / raw (ratio)**',
      ...both((col) => `**${col.ratio.toFixed(3)}** (rounds: ${col.roundRatios.map((x) => x.toFixed(2)).join(', ')})`),
    ],
    ...(cols.every((col) => col.drainedRatio !== undefined)
      ? [
          [
            '**receivers / raw, each run timed until its workflow tasks were done**',
            ...both(
              (col) =>
                `**${col.drainedRatio!.toFixed(3)}** (rounds: ${(col.drainedRoundRatios ?? []).map((x) => x.toFixed(2)).join(', ')})`,
            ),
          ],
          [
            'callbacks/s with each run timed until its workflow tasks were done (receivers / raw)',
            ...both((col) => `${rate(drainedRate(col.receivers))} / ${rate(drainedRate(col.raw))}`),
          ],
          [
            'workflow tasks done after the last answer, mean per run (receivers / raw)',
            ...both((col) => `${drainSeconds(col.receivers)} / ${drainSeconds(col.raw)} s`),
          ],
          [
            'CPU per callback over run and drain: Countersign, Temporal and its database (receivers / raw)',
            ...both((col) => `${ms(systemCpuPerCallback(col.receivers))} / ${ms(systemCpuPerCallback(col.raw))} ms`),
          ],
        ]
      : []),
    ['through the receivers, callbacks/s', ...both((col) => col.receivers.callbacksPerSec.toFixed(0))],
    ['raw `signalWithStart`, callbacks/s', ...both((col) => col.raw.callbacksPerSec.toFixed(0))],
    [
      'answered 2xx (receivers; raw)',
      ...both((col) => `${col.receivers.ok}/${col.receivers.callbacks}; ${col.raw.ok}/${col.raw.callbacks}`),
    ],
    ['receivers p50 / p99 ms', ...both((col) => `${ms(col.receivers.latency.p50)} / ${ms(col.receivers.latency.p99)}`)],
    ['raw p50 / p99 ms', ...both((col) => `${ms(col.raw.latency.p50)} / ${ms(col.raw.latency.p99)}`)],
    [
      'Countersign CPU per callback (receivers runs / raw runs: its worker alone)',
      ...both((col) => cpuPair(col, (run) => run.countersign)),
    ],
    ...(cols.every((col) => col.receivers.countersign.workerProcessCpuPercent !== undefined)
      ? [
          [
            'of which the HTTP app / the worker process (receivers runs)',
            ...both((col) => {
              const u = col.receivers.countersign;
              const total = perCallback(u, col.receivers)!;
              const worker = (total * u.workerProcessCpuPercent!) / u.cpuPercent;
              return `${ms(total - worker)} / ${ms(worker)} ms`;
            }),
          ],
        ]
      : []),
    [
      "**receivers path, CPU per callback beyond the worker's**",
      ...both((col) => `**${ms(col.beyondWorkerCpuMs)} ms**`),
    ],
    ['Temporal server CPU per callback (receivers / raw)', ...both((col) => cpuPair(col, (run) => run.temporal))],
    [
      'PostgreSQL CPU per callback (receivers / raw)',
      ...both((col) => (col.receivers.database ? cpuPair(col, (run) => run.database) : 'in-process (SQLite)')),
    ],
    [
      'load generator CPU, share of a core (receivers / raw)',
      ...both(
        (col) =>
          `${(col.receivers.loadgenCpuPercent ?? NaN).toFixed(0)} % / ${(col.raw.loadgenCpuPercent ?? NaN).toFixed(0)} %`,
      ),
    ],
    ...(cols.every((col) => runCpuPerCallback(col.receivers) && runCpuPerCallback(col.raw))
      ? [
          [
            'CPU per callback in the runs: Countersign, Temporal, its database and the load generator (receivers / raw)',
            ...both((col) => `${ms(runCpuPerCallback(col.receivers))} / ${ms(runCpuPerCallback(col.raw))} ms`),
          ],
          [
            "receivers / raw as that CPU predicts (raw's CPU per callback over the receivers')",
            ...both((col) => (runCpuPerCallback(col.raw)! / runCpuPerCallback(col.receivers)!).toFixed(3)),
          ],
        ]
      : []),
  ];
  out.push(
    row(['measure', ...cols.map((col) => col.name)]),
    row(['---', ...cols.map(() => '---')]),
    ...rows.map(row),
    '',
  );
  for (const col of cols) out.push(`ratio (${col.name}): ${col.ratio.toFixed(2)}`, '');
  out.push(`![answer latency on the dev server and the native cluster](${CLUSTERS_PLOT})`, '', CLUSTERS_END);
  return out.join('\n');
}

export function clusterPlot(r: BenchResults): string | undefined {
  const c = r.clusters;
  if (!c) return undefined;
  const cdf = (run: IngestionRun) => run.latency.cdf.map(([x, q]) => [x, q * 100] as [number, number]);
  return lineChart({
    title: `Closed loop x${r.meta.options.concurrency}: answer latency (CDF), dev server and native cluster`,
    xLabel: 'answer latency, ms (log scale)',
    yLabel: 'requests answered within, %',
    logX: true,
    series: c.columns.flatMap((col, k) => [
      { name: `${col.name}, receivers`, points: cdf(col.receivers), color: COLORS[k * 2] },
      { name: `${col.name}, raw`, points: cdf(col.raw), color: COLORS[k * 2 + 1], dashed: true },
    ]),
  });
}

export function extractClusterSection(report: string): string | undefined {
  const start = report.indexOf(CLUSTERS_START);
  const end = report.indexOf(CLUSTERS_END, start);
  if (start < 0 || end < 0) return undefined;
  return report.slice(start, end + CLUSTERS_END.length);
}

/**
 * The report with `section` in place of the old one; without one, after part 1's section
 * (before part 2's heading), or appended.
 */
export function placeClusterSection(report: string, section: string): string {
  const old = extractClusterSection(report);
  if (old !== undefined) return report.replace(old, () => section);
  const at = report.indexOf('\n## 2. ');
  if (at >= 0) return `${report.slice(0, at)}\n${section}\n${report.slice(at)}`;
  return `${report.replace(/\n*$/, '')}\n\n${section}\n`;
}
