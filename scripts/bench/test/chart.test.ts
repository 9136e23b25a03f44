import test from 'ava';
import { escapeXml, linearTicks, logTicks, renderChart } from '../chart-svg.ts';

const points = [
  { x: 49.8, offered: 50, p50: 8, p95: 15, p99: 30 },
  { x: 199, offered: 200, p50: 12, p95: 40, p99: 90 },
  { x: 99.7, offered: 100, p50: 9, p95: 20, p99: 45 },
];

test('when there are open-loop points, then the SVG has one line per percentile through every point, in x order', (t) => {
  const svg = renderChart(points, { title: 'Latency vs throughput' });
  t.true(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  t.true(svg.trimEnd().endsWith('</svg>'));
  for (const key of ['p50', 'p95', 'p99']) {
    const m = new RegExp(`<polyline class="${key}" points="([^"]+)"`).exec(svg);
    t.truthy(m, key);
    const xs = (m?.[1] ?? '').split(' ').map((p) => Number(p.split(',')[0]));
    t.is(xs.length, 3);
    t.deepEqual(
      xs,
      [...xs].sort((a, b) => a - b),
    );
  }
  t.is((svg.match(/<circle /g) ?? []).length, 9);
});

test('when p99 is above p50, then its points are drawn higher (smaller y)', (t) => {
  const svg = renderChart([points[0] as (typeof points)[0]], { title: 't' });
  const ys = [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
  t.is(ys.length, 3);
  t.true((ys[0] as number) > (ys[1] as number) && (ys[1] as number) > (ys[2] as number));
});

test('when a title has markup characters, then they are escaped', (t) => {
  const svg = renderChart(points, { title: 'a < b & "c"', targets: [{ ms: 60, label: 'p99 <= 60' }] });
  t.true(svg.includes('a &lt; b &amp; &quot;c&quot;'));
  t.true(svg.includes('p99 &lt;= 60'));
  t.is(escapeXml("'"), '&#39;');
});

test('when there are no points or a percentile is NaN, then the chart still renders without NaN coordinates', (t) => {
  t.regex(renderChart([], { title: 'empty' }), /no data/);
  const svg = renderChart([{ x: 10, offered: 10, p50: Number.NaN, p95: 5, p99: 9 }], { title: 'nan' });
  t.false(svg.includes('NaN'));
  t.false(renderChart([], { title: 'empty' }).includes('NaN'));
});

test('axis ticks cover the data: linear from 0, log in 1-2-5 steps', (t) => {
  t.deepEqual(linearTicks(380), [0, 100, 200, 300, 400]);
  t.deepEqual(linearTicks(0), [0, 1]);
  t.deepEqual(logTicks(3, 180), [1, 2, 5, 10, 20, 50, 100, 200]);
});
