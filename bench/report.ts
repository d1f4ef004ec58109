// The one renderer: REPORT.md (goals judged, a table per part) and its SVG plots, from a
// results.json alone, so any committed run can be rendered again.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { judge } from './goals';
import { drainedRate, perCallback, type BenchResults, type Comparison, type PartName, type Run } from './results';
import { barChart, lineChart } from './svg';

export const PLOTS = {
  byRate: 'latency-by-rate.svg',
  memory: 'scale-memory.svg',
  timers: 'scale-timers.svg',
  history: 'history-per-callback.svg',
} as const;

const f = (v: number | undefined, digits = 1) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const int = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
const mb = (b: number | undefined) => (b === undefined ? '–' : (b / 2 ** 20).toFixed(0));
/** `head` and each row are cells joined by ` | `. */
const table = (head: string, rows: string[]) =>
  [
    head,
    head
      .split('|')
      .map(() => '---')
      .join(' | '),
    ...rows,
  ]
    .map((r) => `| ${r} |`)
    .join('\n') + '\n';
const pq = (l: { p50: number; p99: number }) => `${f(l.p50)} / ${f(l.p99)}`;
const cpu = (ms: number | undefined, r: Run) => f(perCallback(ms, r), 2);

function partHeader(r: BenchResults, part: PartName, title: string, about: string): string[] {
  const m = r.meta[part];
  const failure = r.failures[part];
  const when = m
    ? `Measured ${m.startedAt.slice(0, 16).replace('T', ' ')} UTC on commit ${m.commit}, size ${m.size}, on ${m.temporal}, in ${(m.durationS / 60).toFixed(1)} min; load average ${m.loadAverage.before.map((l) => l.toFixed(1)).join(' ')} before, ${m.loadAverage.after.map((l) => l.toFixed(1)).join(' ')} after.`
    : '';
  const failed = failure ? [`**This part failed:** ${failure}`, ''] : [];
  return [
    `## ${title}`,
    '',
    about,
    '',
    ...(m ? [when, ''] : []),
    ...failed,
    ...(m || failure ? [] : ['Not measured.', '']),
  ];
}

function comparisonRows(c: Comparison): string[] {
  return [c.receivers, c.raw].map((run) => {
    const path = run.via === 'receivers' ? 'HTTP receivers' : 'raw `signalWithStart`';
    const { countersign, worker, temporal, database, loadgen } = run.cpu;
    return `${path} | ${int(run.ok)} / ${int(run.callbacks)} | ${f(run.perSec, 0)} | ${f(drainedRate(run), 0)} | ${pq(run.latency)} | ${[countersign, worker, temporal, database, loadgen].map((ms) => cpu(ms, run)).join(' | ')}`;
  });
}

const COMPARISON_HEAD =
  'path | 2xx / sent | callbacks/s | callbacks/s to drained | p50 / p99 ms | Countersign CPU ms per callback | of which its worker process | Temporal server | its database | load generator';

function ingestion(r: BenchResults, plots: Record<string, string>): string[] {
  const out = partHeader(
    r,
    'ingestion',
    '1. Ingestion: the receivers against raw `signalWithStart`',
    'Mixed authenticated callbacks (Signhost with its checksum, Signicat and Portal de Assinaturas with their headers), two per transaction, the first creating its workflow. The raw baseline sends the very same signals from the load generator with the options the receivers use. Countersign runs as `npm start` runs it (the worker in a process of its own); each run is followed until the workflow tasks it caused were done ("to drained").',
  );
  const i = r.parts.ingestion;
  if (!i) return out;
  out.push(
    'Open loop at rising offered rates (rising stops once the receivers’ p99 passes 50 ms; the goal rate is always measured):',
    '',
    table(
      'offered /s | receivers answered /s | receivers p50 / p99 ms | raw answered /s | raw p50 / p99 ms',
      i.byRate.map(
        (b) =>
          `${b.rate} | ${f(b.receivers.perSec, 0)} | ${pq(b.receivers.latency)} | ${f(b.raw.perSec, 0)} | ${pq(b.raw.latency)}`,
      ),
    ),
    `![answer latency by offered rate](${PLOTS.byRate})`,
    '',
    `Closed loop, ${i.concurrency} clients, receivers, raw, raw, receivers (the first run time-bound, the others as many callbacks): **ratio ${f(i.closed.ratio, 3)}**${i.closed.drainedRatio ? `, ${f(i.closed.drainedRatio, 3)} timed to drained` : ''}. Refused by reason: ${JSON.stringify(i.refusedByReason)}.`,
    '',
    table(COMPARISON_HEAD, comparisonRows(i.closed)),
  );
  plots[PLOTS.byRate] = lineChart({
    title: 'Answer latency by offered rate',
    xLabel: 'offered callbacks/s',
    yLabel: 'ms (log scale)',
    logY: true,
    series: [
      { name: 'receivers p99', points: i.byRate.map((b) => [b.rate, b.receivers.latency.p99]) },
      { name: 'raw p99', points: i.byRate.map((b) => [b.rate, b.raw.latency.p99]) },
      { name: 'receivers p50', points: i.byRate.map((b) => [b.rate, b.receivers.latency.p50]), dashed: true },
      { name: 'raw p50', points: i.byRate.map((b) => [b.rate, b.raw.latency.p50]), dashed: true },
    ],
  });
  return out;
}

function scale(r: BenchResults, plots: Record<string, string>): string[] {
  const s = r.parts.scale;
  const out = partHeader(
    r,
    'scale',
    '2. Open transactions and their timers at scale',
    `Signing transactions registered as \`POST /transactions\` registers them, each with a deadline after its own start and no follow-up before it. At its deadline the engine polls the provider (the simulators, rate limit raised so the engine sets the pace) and records \`expired\`; visibility must count every one. The worker runs in the measured process with \`WORKER_MAX_CACHED_WORKFLOWS=${s?.cacheSize ?? '…'}\`; at each step: its RSS after a forced collection, its cache, and the answer latency of callbacks to random open transactions.`,
  );
  if (!s) return out;
  const t = s.timers;
  out.push(
    `Started ${f(s.startPerSec, 0)} transactions/s. Baseline RSS ${mb(s.baseline.rssBytes)} MB with ${s.baseline.cachedWorkflows} cached. **Timers fired: ${int(t.expired)} of ${int(t.expected)}**${t.allExpiredAfterMs !== null ? `, all seen expired ${f(t.allExpiredAfterMs / 1000)} s after the last deadline` : ''}.`,
    '',
    table(
      'open | cached workflows | Countersign RSS MB | Temporal RSS MB | ack p50 / p99 ms | acks 2xx',
      s.steps.map(
        (p) =>
          `${int(p.open)} | ${int(p.cachedWorkflows)} | ${mb(p.rssBytes)} | ${mb(p.temporalRssBytes)} | ${pq(p.ack)} | ${p.ackOk}/${p.ackSent}`,
      ),
    ),
    `![memory by open transactions](${PLOTS.memory})`,
    '',
    `![timers](${PLOTS.timers})`,
    '',
  );
  plots[PLOTS.memory] = lineChart({
    title: 'Countersign memory and cache by open transactions',
    xLabel: 'open transactions',
    yLabel: 'MB / cached workflows',
    series: [
      { name: 'RSS MB', points: s.steps.map((p) => [p.open, p.rssBytes / 2 ** 20]) },
      { name: 'cached workflows', points: s.steps.map((p) => [p.open, p.cachedWorkflows]), dashed: true },
    ],
  });
  plots[PLOTS.timers] = lineChart({
    title: 'Deadlines due and transactions seen expired',
    xLabel: 's since the first start',
    yLabel: 'transactions',
    series: [
      { name: 'deadlines due', points: t.timeline.map(([x, due]) => [x, due]), dashed: true },
      { name: 'seen expired', points: t.timeline.map(([x, , e]) => [x, e]) },
    ],
  });
  return out;
}

function history(r: BenchResults, plots: Record<string, string>): string[] {
  const h = r.parts.history;
  const out = partHeader(
    r,
    'history',
    '3. History per callback and the cost of a cache miss',
    'One transaction per traffic shape, every callback through the receivers. Events are summed over every run of the continue-as-new chain. A cache miss replays the current run from its first event: the replay of the largest run (`Worker.runReplayHistory`, fresh replay worker, median of 3) is what a worker pays at worst; "warm" is the same history through one running replay worker.',
  );
  if (!h) return out;
  out.push(
    table(
      'traffic | callbacks (2xx) | final status | runs | events | events per callback | largest run: events, KB | replay ms | warm replay ms',
      h.shapes.map(
        (s) =>
          `${s.traffic} | ${int(s.callbacks)} (${int(s.accepted)}) | ${s.finalStatus} | ${s.runs} | ${int(s.events)} | **${f(s.eventsPerCallback, 2)}** | ${int(s.largestRun.events)}, ${int(s.largestRun.bytes / 1024)} | **${f(s.replayMs, 0)}** | ${f(s.warmReplayMs, 0)}`,
      ),
    ),
    `![history events per callback](${PLOTS.history})`,
    '',
  );
  plots[PLOTS.history] = barChart(
    'History events per callback (replay of the largest run beside)',
    h.shapes.map((s) => ({
      name: s.name,
      value: s.eventsPerCallback,
      note: `${f(s.eventsPerCallback, 2)} · replay ${f(s.replayMs, 0)} ms`,
    })),
  );
  return out;
}

function cluster(r: BenchResults): string[] {
  const c = r.parts.cluster;
  const out = partHeader(
    r,
    'cluster',
    '4. The cluster column: dev server and native cluster',
    'The closed loop of part 1 on a dev server and on the native cluster (`npm run cluster`: Temporal on PostgreSQL) in one run, both up throughout, rounds alternating which column goes first and, every two rounds, which path. Each turn starts with unmeasured callbacks and waits for the other column to be at rest. The receivers path’s own cost is Countersign’s CPU per callback in the receivers runs less that in the raw runs (its worker alone).',
  );
  if (!c) return out;
  out.push(`Order of turns: ${c.order.join(', ')}.`, '');
  for (const col of c.columns) {
    const beyond =
      perCallback(col.receivers.cpu.countersign, col.receivers) - perCallback(col.raw.cpu.countersign, col.raw);
    out.push(
      `### ${col.name}: ${col.label}`,
      '',
      `**ratio ${f(col.ratio, 3)}** (rounds ${col.roundRatios.map((x) => f(x, 2)).join(', ')})${col.drainedRatio ? `, ${f(col.drainedRatio, 3)} timed to drained` : ''}; receivers path ${f(beyond, 2)} ms of CPU per callback beyond the worker’s.`,
      '',
      table(COMPARISON_HEAD, comparisonRows(col)),
    );
  }
  return out;
}

export function renderReport(r: BenchResults): { markdown: string; plots: Record<string, string> } {
  const plots: Record<string, string> = {};
  const verdicts = judge(r);
  const ratio = r.parts.ingestion?.closed.ratio;
  const lines = [
    '# Countersign benchmark',
    '',
    `Rendered from \`results.json\` by \`npm run bench\` (re-render: \`npm run bench -- --render bench/results/results.json\`). Machine: ${r.machine.cpus} × ${r.machine.model}, ${f(r.machine.memoryGb)} GB, Node.js ${r.machine.node}. Countersign, the Temporal server under test (unless a cluster was named) and the load generator share this machine, each in its own process. How it runs: [README.md](../README.md).`,
    '',
    '## Goals',
    '',
    table(
      'goal | threshold | measured | met',
      verdicts.map((v) => {
        const { metric, comparator, threshold, unit, part } = v.goal;
        const measured =
          v.value === undefined ? `not measured (${part})` : `${f(v.value, v.value < 10 ? 3 : 1)} ${unit}`;
        return `${metric} | ${comparator} ${threshold} ${unit} | ${measured} | ${v.met === null ? '–' : v.met ? 'yes' : '**no**'}`;
      }),
    ),
    `ratio: ${ratio === undefined ? 'not measured' : ratio.toFixed(2)}`,
    '',
    ...ingestion(r, plots),
    ...scale(r, plots),
    ...history(r, plots),
    ...cluster(r),
  ];
  return { markdown: lines.join('\n').replace(/\n{3,}/g, '\n\n'), plots };
}

/** Writes REPORT.md and its plots into `dir`; returns the files written. */
export function writeReport(dir: string, r: BenchResults): string[] {
  mkdirSync(dir, { recursive: true });
  const { markdown, plots } = renderReport(r);
  writeFileSync(join(dir, 'REPORT.md'), markdown);
  for (const [name, svg] of Object.entries(plots)) writeFileSync(join(dir, name), svg);
  return ['REPORT.md', ...Object.keys(plots)].map((n) => join(dir, n));
}
