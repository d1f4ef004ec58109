// Line charts as plain SVG text: no plotting dependency, readable in any browser or on GitHub.

export interface Series {
  name: string;
  points: Array<[number, number]>;
  color: string;
  dashed?: boolean;
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  logX?: boolean;
  /** Log-scale y, for latencies that span milliseconds to seconds. */
  logY?: boolean;
  width?: number;
  height?: number;
}

export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (v: number) =>
  Math.abs(v) >= 1000 ? v.toLocaleString('en-US', { maximumFractionDigits: 0 }) : String(Number(v.toPrecision(3)));

/** Ticks at 1, 2 or 5 × 10^k, from at or below `min` to at or above `max`. */
export function linearTicks(min: number, max: number, target = 6): number[] {
  if (!(max > min)) return [min, min + 1];
  const raw = (max - min) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  const last = Math.ceil(max / step - 1e-9) * step;
  for (let t = Math.floor(min / step + 1e-9) * step; t <= last + step * 1e-9; t += step)
    ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const t = m * 10 ** e;
      if (t >= min * 0.999 && t <= max * 1.001) ticks.push(t);
    }
  }
  return ticks;
}

export function lineChart(c: Chart): string {
  const width = c.width ?? 760;
  const height = c.height ?? 420;
  const m = { left: 70, right: 20, top: 40, bottom: 90 };
  const plotted = ([x, y]: [number, number]) =>
    Number.isFinite(x) && Number.isFinite(y) && (!c.logX || x > 0) && (!c.logY || y > 0);
  const all = c.series.flatMap((s) => s.points).filter(plotted);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  let xMin = xs.length ? Math.min(...xs) : 0;
  let xMax = xs.length ? Math.max(...xs) : 1;
  if (c.logX) {
    xMin = 10 ** Math.floor(Math.log10(xMin || 1));
    xMax = 10 ** Math.ceil(Math.log10(xMax || 10));
  } else {
    xMin = Math.min(0, xMin);
    if (xMax <= xMin) xMax = xMin + 1;
  }
  const yLow = c.logY ? 10 ** Math.floor(Math.log10(ys.length ? Math.min(...ys) : 1)) : 0;
  const yTicks = c.logY
    ? logTicks(yLow, 10 ** Math.ceil(Math.log10(ys.length ? Math.max(...ys) : 10)))
    : linearTicks(0, Math.max(1e-9, ys.length ? Math.max(...ys) : 1));
  const yMax = c.logY ? 10 ** Math.ceil(Math.log10(ys.length ? Math.max(...ys) : 10)) : yTicks[yTicks.length - 1] || 1;
  const xTicks = c.logX ? logTicks(xMin, xMax) : linearTicks(xMin, xMax);
  if (!c.logX) {
    xMin = xTicks[0];
    xMax = xTicks[xTicks.length - 1];
  }
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const sx = (x: number) =>
    m.left +
    (c.logX ? (Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin)) : (x - xMin) / (xMax - xMin)) *
      pw;
  const sy = (y: number) =>
    m.top +
    ph -
    (c.logY ? (Math.log10(y) - Math.log10(yLow)) / (Math.log10(yMax) - Math.log10(yLow) || 1) : y / yMax) * ph;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(c.title)}</text>`,
  );
  for (const t of yTicks) {
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 6}" y="${sy(t) + 4}" text-anchor="end">${num(t)}</text>`);
  }
  for (const t of xTicks) {
    out.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${m.top}" y2="${m.top + ph}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${sx(t)}" y="${m.top + ph + 16}" text-anchor="middle">${num(t)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${m.top + ph + 36}" text-anchor="middle">${esc(c.xLabel)}</text>`);
  out.push(
    `<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(c.yLabel)}</text>`,
  );
  c.series.forEach((s, i) => {
    const pts = s.points.filter(plotted);
    if (pts.length) {
      const d = pts.map(([x, y], k) => `${k ? 'L' : 'M'}${sx(x).toFixed(1)} ${sy(y).toFixed(1)}`).join(' ');
      out.push(
        `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      );
      if (pts.length <= 12)
        for (const [x, y] of pts)
          out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
    const lx = m.left + (i % 3) * (pw / 3);
    const ly = height - 30 + Math.floor(i / 3) * 16;
    out.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    out.push(`<text x="${lx + 30}" y="${ly}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
