// The "history per callback" section of REPORT.md: its table, its bar plot, and its place in
// the report between two marker comments, so `npm run bench:history` replaces only this section
// and `npm run bench` keeps it when it rewrites the rest.

export const SECTION_START = '<!-- history-per-callback:start -->';
export const SECTION_END = '<!-- history-per-callback:end -->';
export const HISTORY_PLOT = 'history-per-callback.svg';

export interface HistoryShape {
  /** Short name, also the bar's label. */
  name: string;
  /** What was sent, in words. */
  traffic: string;
  callbacks: number;
  /** Callbacks answered 2xx. */
  accepted: number;
  /** The other answers, by HTTP status. */
  refused: Record<string, number>;
  finalStatus: string;
  runs: number;
  /** History events summed over every run of the chain. */
  events: number;
  eventsPerCallback: number;
  largestRun: { events: number; bytes: number };
  /** Worker.runReplayHistory of the largest run: a fresh replay worker each time. */
  replayMs: { median: number; samples: number[] };
  /** The same history replayed by one already running replay worker (the first replay dropped). */
  warmReplayMs: { median: number; samples: number[] };
  /** From the first callback sent to the workflow's result. */
  wallMs: number;
}

export interface HistoryBenchResults {
  meta: {
    startedAt: string;
    finishedAt: string;
    durationS: number;
    commit: string;
    machine: { cpus: number; model: string };
    node: string;
    loadAverage: { before: number[]; after: number[] };
    sizes: { duplicates: number; postbacks: number; activities: number; activitiesPerPostback: number };
  };
  shapes: HistoryShape[];
  failures: Array<{ shape: string; error: string }>;
}

const int = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The section, markers included. */
export function renderHistorySection(r: HistoryBenchResults): string {
  const out: string[] = [SECTION_START, '## History per callback and the cost of a cache miss', ''];
  out.push(
    `\`npm run bench:history\`, ${r.meta.finishedAt.slice(0, 16).replace('T', ' ')} UTC, commit ${r.meta.commit}, ${r.meta.machine.cpus} cores, load average ${r.meta.loadAverage.before.map((l) => l.toFixed(1)).join(' ')} before, ${r.meta.loadAverage.after.map((l) => l.toFixed(1)).join(' ')} after. ` +
      'One transaction per traffic shape, every callback through the receivers over HTTP. Events are summed over every run of the continue-as-new chain. ' +
      'A cache miss replays the current run from its first event: the replay time of the largest run is what a worker pays, at worst, to pick the transaction up again. ' +
      'Replay is `Worker.runReplayHistory` with the workflow bundle (a fresh replay worker each time, median of 3), and beside it the same history replayed by one running replay worker (median of 3 after a first replay).',
    '',
  );
  if (r.shapes.length) {
    out.push(
      '| traffic | callbacks (2xx) | final status | runs | history events | events per callback | largest run: events | largest run: bytes | replay of the largest run ms | warm replay ms | wall s |',
    );
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const s of r.shapes) {
      out.push(
        `| ${s.traffic} | ${int(s.callbacks)} (${int(s.accepted)}) | ${s.finalStatus} | ${int(s.runs)} | ${int(s.events)} | **${s.eventsPerCallback.toFixed(2)}** | ${int(s.largestRun.events)} | ${kb(s.largestRun.bytes)} | **${ms(s.replayMs.median)}** | ${ms(s.warmReplayMs.median)} | ${(s.wallMs / 1000).toFixed(1)} |`,
      );
    }
    out.push('', `![history events per callback](${HISTORY_PLOT})`, '');
  }
  if (r.failures.length) {
    out.push('**Shapes that failed**', '');
    for (const f of r.failures) out.push(`- ${f.shape}: ${f.error}`);
    out.push('');
  }
  out.push(SECTION_END);
  return out.join('\n');
}

/** The section already in a report, markers included, if there is one. */
export function extractSection(report: string): string | undefined {
  const start = report.indexOf(SECTION_START);
  const end = report.indexOf(SECTION_END, start);
  if (start < 0 || end < 0) return undefined;
  return report.slice(start, end + SECTION_END.length);
}

/** The report with `section` in place of the old one, or appended when it had none. */
export function replaceSection(report: string, section: string): string {
  const old = extractSection(report);
  if (old !== undefined) return report.replace(old, () => section);
  return `${report.replace(/\n*$/, '')}\n\n${section}\n`;
}

/** One horizontal bar per shape: history events per callback, the replay time written beside. */
export function historyBarChart(shapes: HistoryShape[]): string {
  const width = 760;
  const bar = 34;
  const m = { left: 200, right: 150, top: 50, bottom: 40 };
  const height = m.top + m.bottom + shapes.length * (bar + 16);
  const max = Math.max(1e-9, ...shapes.map((s) => s.eventsPerCallback));
  const pw = width - m.left - m.right;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">History events per callback (replay of the largest run beside)</text>`,
  );
  shapes.forEach((s, i) => {
    const y = m.top + i * (bar + 16);
    const w = (s.eventsPerCallback / max) * pw;
    out.push(`<text x="${m.left - 8}" y="${y + bar / 2 + 4}" text-anchor="end">${esc(s.name)}</text>`);
    out.push(`<rect x="${m.left}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="#1f77b4"/>`);
    out.push(
      `<text x="${(m.left + w + 6).toFixed(1)}" y="${y + bar / 2 + 4}">${s.eventsPerCallback.toFixed(2)} · replay ${ms(s.replayMs.median)} ms</text>`,
    );
  });
  const axisY = height - m.bottom + 8;
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top - 6}" y2="${axisY - 8}" stroke="#888"/>`);
  out.push(
    `<text x="${m.left + pw / 2}" y="${axisY + 14}" text-anchor="middle">history events per callback, summed over every run</text>`,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}
