/**
 * Latency-versus-throughput chart as a self-contained SVG: p50, p95 and p99 (ms, log scale)
 * against achieved orders/s, one point per open-loop step, with optional horizontal target lines.
 */

export interface ChartPoint {
  /** Achieved (decided) orders/s. */
  x: number;
  /** Offered rate, shown next to the point. */
  offered: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface ChartOptions {
  title: string;
  subtitle?: string;
  /** Horizontal reference lines, e.g. { ms: 60, label: 'p99 target at 50/s' }. */
  targets?: { ms: number; label: string }[];
  width?: number;
  height?: number;
}

const series = [
  { key: 'p50', colour: '#2a9d8f' },
  { key: 'p95', colour: '#e9c46a' },
  { key: 'p99', colour: '#e76f51' },
] as const;

export const escapeXml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] as string);

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Number(n.toPrecision(3)).toString());

/** "Nice" linear ticks from 0 to at least max. */
export function linearTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step * 1e-9 || ticks.length < 2; t += step) ticks.push(Number(t.toPrecision(12)));
  if ((ticks.at(-1) as number) < max) ticks.push(Number(((ticks.at(-1) as number) + step).toPrecision(12)));
  return ticks;
}

/** 1-2-5 ticks covering [min, max] on a log scale. */
export function logTicks(min: number, max: number): number[] {
  const lo = 10 ** Math.floor(Math.log10(Math.max(min, 1e-3)));
  const ticks: number[] = [];
  for (let d = lo; ; d *= 10) {
    for (const m of [1, 2, 5]) {
      const t = Number((d * m).toPrecision(3));
      if (t >= lo) ticks.push(t);
      if (t >= max) return ticks;
    }
  }
}

export function renderChart(points: readonly ChartPoint[], options: ChartOptions): string {
  const width = options.width ?? 800;
  const height = options.height ?? 440;
  const m = { top: 56, right: 200, bottom: 52, left: 64 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const finite = (v: number) => Number.isFinite(v) && v > 0;
  const sorted = [...points].filter((p) => Number.isFinite(p.x)).sort((a, b) => a.x - b.x);
  const ys = sorted.flatMap((p) => [p.p50, p.p95, p.p99]).filter(finite);
  const targets = options.targets ?? [];
  const yMin = Math.min(...ys, ...targets.map((t) => t.ms), 10);
  const yMax = Math.max(...ys, ...targets.map((t) => t.ms), 10);
  const yt = logTicks(yMin, yMax);
  const [y0, y1] = [Math.log10(yt[0] as number), Math.log10(yt.at(-1) as number)];
  const xt = linearTicks(Math.max(...sorted.map((p) => p.x), 1));
  const xMax = xt.at(-1) as number;
  const px = (x: number) => m.left + (x / xMax) * plotW;
  const py = (ms: number) => m.top + plotH - ((Math.log10(ms) - y0) / (y1 - y0 || 1)) * plotH;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${m.left}" y="24" font-size="16" font-weight="600">${escapeXml(options.title)}</text>`,
  );
  if (options.subtitle) out.push(`<text x="${m.left}" y="42" fill="#555">${escapeXml(options.subtitle)}</text>`);
  for (const t of yt) {
    const y = py(t).toFixed(1);
    out.push(
      `<line x1="${m.left}" x2="${m.left + plotW}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${m.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`,
    );
  }
  for (const t of xt) {
    const x = px(t).toFixed(1);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${m.top}" y2="${m.top + plotH}" stroke="#f0f0f0"/>`,
      `<text x="${x}" y="${m.top + plotH + 18}" text-anchor="middle">${fmt(t)}</text>`,
    );
  }
  out.push(
    `<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    `<text x="${m.left + plotW / 2}" y="${height - 12}" text-anchor="middle">achieved orders/s (decided)</text>`,
    `<text transform="translate(16 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle">placed → decided latency, ms (log)</text>`,
  );
  for (const t of targets) {
    const y = py(t.ms).toFixed(1);
    out.push(
      `<line x1="${m.left}" x2="${m.left + plotW}" y1="${y}" y2="${y}" stroke="#888" stroke-dasharray="4 4"/>`,
      `<text x="${m.left + plotW + 6}" y="${y}" dominant-baseline="middle" fill="#666" font-size="11">${escapeXml(t.label)}</text>`,
    );
  }
  series.forEach(({ key, colour }, i) => {
    const pts = sorted.filter((p) => finite(p[key]));
    if (pts.length > 1) {
      const d = pts.map((p) => `${px(p.x).toFixed(1)},${py(p[key]).toFixed(1)}`).join(' ');
      out.push(`<polyline class="${key}" points="${d}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    }
    for (const p of pts) {
      out.push(
        `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p[key]).toFixed(1)}" r="3.5" fill="${colour}"><title>${escapeXml(`${key} ${fmt(p[key])} ms at ${fmt(p.x)} orders/s (offered ${p.offered}/s)`)}</title></circle>`,
      );
    }
    const ly = m.top + 12 + i * 18;
    out.push(
      `<line x1="${m.left + plotW + 10}" x2="${m.left + plotW + 30}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${m.left + plotW + 36}" y="${ly}" dominant-baseline="middle">${key}</text>`,
    );
  });
  for (const p of sorted) {
    out.push(
      `<text x="${px(p.x).toFixed(1)}" y="${m.top + plotH - 6}" text-anchor="middle" fill="#888" font-size="10">${escapeXml(`${p.offered}/s`)}</text>`,
    );
  }
  if (sorted.length === 0) {
    out.push(`<text x="${m.left + plotW / 2}" y="${m.top + plotH / 2}" text-anchor="middle" fill="#888">no data</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
