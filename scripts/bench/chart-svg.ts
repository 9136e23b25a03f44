/**
 * Latency-versus-throughput chart as a self-contained SVG: p50, p95 and p99 (ms, log scale)
 * against achieved orders/s, one point per open-loop step, with optional horizontal target lines.
 * A vega-lite spec rendered by vega's SVG renderer (no browser, no canvas: text is measured by estimate).
 */
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { compile } from 'vega-lite';

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

const percentiles = ['p50', 'p95', 'p99'] as const;

/** The vega-lite spec: one line per percentile, dashed target rules, offered rates along the bottom. */
export function chartSpec(points: readonly ChartPoint[], options: ChartOptions): TopLevelSpec {
  // A log scale has no place for 0, NaN or a missing percentile: such a point is left out.
  const latencies = points.flatMap((p) =>
    percentiles
      .filter((k) => Number.isFinite(p.x) && Number.isFinite(p[k]) && p[k] > 0)
      .map((k) => ({ x: p.x, offered: p.offered, percentile: k, ms: p[k] })),
  );
  const x = {
    field: 'x',
    type: 'quantitative',
    title: 'achieved orders/s (decided)',
    scale: { zero: true },
    axis: { format: ',~f' },
  } as const;
  // With nothing to draw, a fixed range keeps the empty log axis finite.
  const yScale: { type: 'log'; domain?: number[] } = latencies.length ? { type: 'log' } : { type: 'log', domain: [1, 1000] };
  const width = options.width ?? 560;
  const height = options.height ?? 330;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: options.title, ...(options.subtitle ? { subtitle: options.subtitle } : {}), anchor: 'start' },
    width,
    height,
    background: 'white',
    layer: [
      {
        data: { values: latencies },
        mark: { type: 'line', point: true, tooltip: true },
        encoding: {
          x,
          y: { field: 'ms', type: 'quantitative', scale: yScale, title: 'placed → decided latency, ms (log)' },
          color: { field: 'percentile', type: 'nominal', sort: [...percentiles], scale: { range: ['#2a9d8f', '#e9c46a', '#e76f51'] } },
          order: { field: 'x', type: 'quantitative' },
        },
      },
      {
        data: { values: options.targets ?? [] },
        layer: [
          { mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { y: { field: 'ms', type: 'quantitative' } } },
          {
            mark: { type: 'text', align: 'right', dy: -6, x: 'width', color: '#666', fontSize: 11 },
            encoding: { y: { field: 'ms', type: 'quantitative' }, text: { field: 'label' } },
          },
        ],
      },
      ...(latencies.length
        ? []
        : [{ data: { values: [{}] }, mark: { type: 'text', text: 'no data', x: width / 2, y: height / 2, color: '#888' } } as const]),
      {
        data: { values: points.filter((p) => Number.isFinite(p.x)).map((p) => ({ x: p.x, label: `${p.offered}/s` })) },
        mark: { type: 'text', y: 'height', dy: -6, color: '#888', fontSize: 10 },
        encoding: { x, text: { field: 'label' } },
      },
    ],
  };
}

export async function renderChart(points: readonly ChartPoint[], options: ChartOptions): Promise<string> {
  const view = new vega.View(vega.parse(compile(chartSpec(points, options)).spec), { renderer: 'none' });
  try {
    return `${await view.toSVG()}\n`;
  } finally {
    view.finalize();
  }
}
