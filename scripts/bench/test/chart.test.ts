import test from 'ava';
import { chartSpec, renderChart } from '../chart-svg.ts';

const points = [
  { x: 49.8, offered: 50, p50: 8, p95: 15, p99: 30 },
  { x: 199, offered: 200, p50: 12, p95: 40, p99: 90 },
  { x: 99.7, offered: 100, p50: 9, p95: 20, p99: Number.NaN },
];

type Layer = { data: { values: Record<string, unknown>[] } };
const layers = (spec: ReturnType<typeof chartSpec>) => (spec as unknown as { layer: Layer[] }).layer;

test('when a percentile is NaN or 0, then it is left out of the log-scale lines and the others stay', (t) => {
  const latencies = layers(chartSpec([...points, { x: 10, offered: 10, p50: 0, p95: 1, p99: 2 }], { title: 't' }))[0]?.data.values ?? [];
  t.is(latencies.length, 3 * 3 - 1 + 2);
  t.false(latencies.some((v) => !Number.isFinite(v.ms as number) || (v.ms as number) <= 0));
  t.deepEqual(
    latencies.filter((v) => v.percentile === 'p99').map((v) => v.x),
    [49.8, 199, 10],
  );
});

test('when the chart renders in node, then it is one SVG with a line per percentile, the target labels and escaped text', async (t) => {
  const svg = await renderChart(points, {
    title: 'a < b & "c"',
    targets: [
      { ms: 60, label: 'p99 <= 60' },
      { ms: 150, label: 'p99 ≤ 150 ms' },
    ],
  });
  t.true(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  t.true(svg.trimEnd().endsWith('</svg>'));
  t.is((svg.match(/<g class="mark-line role-mark/g) ?? []).length, 3, 'one line per percentile');
  t.is((svg.match(/<path aria-label="[^"]*percentile: p\d\d/g) ?? []).length, 3 + 8, 'the three lines and a point per finite percentile');
  t.true(svg.includes('a &lt; b &amp; "c"') || svg.includes('a &lt; b &amp; &quot;c&quot;'));
  t.true(svg.includes('p99 &lt;= 60'));
  t.true(svg.includes('200/s'));
});

test('when there are no points, then the chart still renders, saying so, without NaN coordinates', async (t) => {
  const svg = await renderChart([], { title: 'empty' });
  t.regex(svg, /no data/);
  t.notRegex(svg, /(?:d|x|y|transform)="[^"]*NaN/);
});
