import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { compareFigures, compareWith, loadEarlierRun, overallWithin } from '../compare.ts';
import type { Headline } from '../figures.ts';

const choreography: Headline = {
  sustainedPerSec: 200,
  p99At50Ms: 40,
  p99At100Ms: 100,
  machineCpuMsPerOrderAt100: 10,
  singleOrderMs: 12,
  skippedRates: [],
};

const row = (h: Headline, start: string) => {
  const r = compareFigures(h, choreography).find((x) => x.figure.startsWith(start));
  if (!r) throw new Error(`no figure ${start}`);
  return r;
};

test('when a rate is 25 % lower it is within, and any lower it is not', (t) => {
  t.is(row({ ...choreography, sustainedPerSec: 150 }, 'highest rate').within, true);
  t.is(row({ ...choreography, sustainedPerSec: 150 }, 'highest rate').ratio, 0.75);
  t.is(row({ ...choreography, sustainedPerSec: 149 }, 'highest rate').within, false);
});

test('when a latency or CPU is 25 % higher it is within, and any higher it is not; better is always within', (t) => {
  t.is(row({ ...choreography, p99At50Ms: 50 }, 'p99 at 50').within, true);
  t.is(row({ ...choreography, p99At50Ms: 50.1 }, 'p99 at 50').within, false);
  t.is(row({ ...choreography, machineCpuMsPerOrderAt100: 12.6 }, 'machine CPU').within, false);
  t.is(row({ ...choreography, singleOrderMs: 3 }, 'single order').within, true);
  t.is(row({ ...choreography, sustainedPerSec: 400 }, 'highest rate').within, true);
});

test('when a figure is missing from either run it is not judged; when this run decided nothing or skipped a rate the other run measured it is outside', (t) => {
  t.is(row({ ...choreography, p99At100Ms: undefined }, 'p99 at 100').within, undefined);
  t.is(row({ ...choreography, p99At100Ms: Number.NaN }, 'p99 at 100').within, false);
  const collapsed: Headline = { ...choreography, p99At100Ms: undefined, machineCpuMsPerOrderAt100: undefined, skippedRates: [100] };
  t.is(row(collapsed, 'p99 at 100').within, false);
  t.is(row(collapsed, 'machine CPU').within, false);
  const bothCollapsed = compareFigures(collapsed, collapsed).find((r) => r.figure.startsWith('p99 at 100'));
  t.is(bothCollapsed?.within, undefined);
});

test('overall: any figure outside fails, all within passes, otherwise not judged', (t) => {
  t.is(overallWithin(compareFigures(choreography, choreography)), true);
  t.is(overallWithin(compareFigures({ ...choreography, p99At100Ms: 200 }, choreography)), false);
  t.is(overallWithin(compareFigures({ ...choreography, singleOrderMs: undefined }, choreography)), undefined);
});

const dir = mkdtempSync(join(tmpdir(), 'bench-compare-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

/** An earlier run's JSON as writeReport wrote it: NaN as null, without the single-order and idle sections. */
const earlierJson = {
  startedAt: '2026-11-29T22:18:16.376Z',
  stack: { sagaMode: 'choreography', pg: {} },
  highestSustainedRate: 50,
  skippedRates: [200],
  open: [
    { load: { offeredRate: 50, confirmed: 1990, rejected: 10, latencyMs: { p50: 20, p99: 40 } }, window: { cpu: { machineBusySec: 24 } } },
    { load: { offeredRate: 100, confirmed: 0, rejected: 0, latencyMs: { p50: null, p99: null } }, window: { cpu: { machineBusySec: 80 } } },
  ],
};

test('when the earlier run is an older report, then the figures it has are read (machine CPU from its step windows)', (t) => {
  const earlier = loadEarlierRun(file('old.json', JSON.stringify(earlierJson)));
  t.is(earlier.sagaMode, 'choreography');
  t.is(earlier.headline.sustainedPerSec, 50);
  t.is(earlier.headline.p99At50Ms, 40);
  t.is(earlier.headline.machineCpuMsPerOrderAt50, 12);
  t.true(Number.isNaN(earlier.headline.p99At100Ms));
  t.is(earlier.headline.singleOrderMs, undefined);
  const c = compareWith({ ...choreography, sustainedPerSec: 40 }, 'orchestration', earlier);
  t.is(c.otherSagaMode, 'choreography');
  t.is(c.rows[0]?.ratio, 0.8);
  t.is(c.rows[0]?.within, true);
});

test('when --compare names a missing file, a non-JSON file or JSON that is no report, then the error names the file and the problem', (t) => {
  t.throws(() => loadEarlierRun(join(dir, 'absent.json')), { message: /--compare .*absent\.json: cannot read it/ });
  t.throws(() => loadEarlierRun(file('log.txt', 'not json')), { message: /log\.txt: not JSON/ });
  t.throws(() => loadEarlierRun(file('other.json', JSON.stringify({ open: 'x' }))), {
    message: /other\.json: not a bench report:[\s\S]*highestSustainedRate/,
  });
});
