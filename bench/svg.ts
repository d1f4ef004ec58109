// Plots as plain SVG text: no plotting dependency, and GitHub shows them inline.

export interface Series {
  name: string;
  points: Array<[number, number]>;
  dashed?: boolean;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const W = 760;
const H = 400;
const M = { left: 70, right: 20, top: 40, bottom: 80 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (v: number) =>
  Math.abs(v) >= 1000 ? v.toLocaleString('en-US', { maximumFractionDigits: 0 }) : String(Number(v.toPrecision(3)));
const open = (title: string, height = H) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="12">\n` +
  `<rect width="${W}" height="${height}" fill="white"/>\n<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`;

/** Ticks at 1, 2 or 5 × 10^k covering [0, max], or at 1, 2, 5 per decade on a log axis. */
export function ticks(max: number, log: boolean, min = 1): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++)
      for (const m of [1, 2, 5]) if (m * 10 ** e >= min * 0.999 && m * 10 ** e <= max * 1.001) out.push(m * 10 ** e);
    return out;
  }
  const raw = Math.max(max, 1e-9) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  return Array.from({ length: Math.ceil(max / step - 1e-9) + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

/** Lines over a linear x; y linear, or logarithmic for latencies spanning ms to seconds. */
export function lineChart(c: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  logY?: boolean;
}): string {
  const pts = c.series
    .flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!c.logY || y > 0));
  const xTicks = ticks(Math.max(1, ...pts.map((p) => p[0])), false);
  const yMin = c.logY ? 10 ** Math.floor(Math.log10(Math.min(...pts.map((p) => p[1]), 10))) : 0;
  const yMaxRaw = Math.max(c.logY ? 10 : 1, ...pts.map((p) => p[1]));
  const yTicks = c.logY ? ticks(10 ** Math.ceil(Math.log10(yMaxRaw)), true, yMin) : ticks(yMaxRaw, false);
  const [xMax, yMax] = [xTicks[xTicks.length - 1], yTicks[yTicks.length - 1]];
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => M.left + (x / xMax) * pw;
  const sy = (y: number) => M.top + ph - (c.logY ? Math.log10(y / yMin) / Math.log10(yMax / yMin) : y / yMax) * ph;
  const out = [open(c.title)];
  for (const t of yTicks)
    out.push(
      `<line x1="${M.left}" x2="${M.left + pw}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e5e5e5"/><text x="${M.left - 6}" y="${sy(t) + 4}" text-anchor="end">${num(t)}</text>`,
    );
  for (const t of xTicks) out.push(`<text x="${sx(t)}" y="${M.top + ph + 16}" text-anchor="middle">${num(t)}</text>`);
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${M.top + ph + 36}" text-anchor="middle">${esc(c.xLabel)}</text>`);
  out.push(
    `<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(c.yLabel)}</text>`,
  );
  c.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const ok = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!c.logY || y > 0));
    if (ok.length) {
      const d = ok.map(([x, y], k) => `${k ? 'L' : 'M'}${sx(x).toFixed(1)} ${sy(y).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
      if (ok.length <= 12)
        for (const [x, y] of ok)
          out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const [lx, ly] = [M.left + (i % 3) * (pw / 3), H - 22 + Math.floor(i / 3) * 16];
    out.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash}/><text x="${lx + 30}" y="${ly}">${esc(s.name)}</text>`,
    );
  });
  return out.join('\n') + '\n</svg>\n';
}

/** One horizontal bar per item, its value and a note written beside it. */
export function barChart(title: string, bars: Array<{ name: string; value: number; note: string }>): string {
  const bar = 34;
  const left = 200;
  const height = 60 + bars.length * (bar + 16);
  const max = Math.max(1e-9, ...bars.map((b) => b.value));
  const out = [open(title, height)];
  bars.forEach((b, i) => {
    const y = 44 + i * (bar + 16);
    const w = (b.value / max) * (W - left - 170);
    out.push(`<text x="${left - 8}" y="${y + bar / 2 + 4}" text-anchor="end">${esc(b.name)}</text>`);
    out.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${COLORS[0]}"/>`);
    out.push(`<text x="${(left + w + 6).toFixed(1)}" y="${y + bar / 2 + 4}">${esc(b.note)}</text>`);
  });
  return out.join('\n') + '\n</svg>\n';
}
