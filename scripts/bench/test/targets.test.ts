import test from 'ava';
import type { Comparison, ComparisonRow } from '../compare.ts';
import type { Headline } from '../figures.ts';
import { judgeTargets, type TargetResult } from '../targets.ts';

/** A run that meets every target, each exactly at its limit. */
const good: Headline = {
  sustainedPerSec: 100,
  p99At50Ms: 60,
  p99At100Ms: 150,
  machineCpuMsPerOrderAt50: 20,
  machineCpuMsPerOrderAt100: 18,
  publishesPerOrder: 10,
  quorumDeliveriesPerOrder: 8,
  commitsPerOrder: 6,
  singleOrderMs: 15,
  idleStackPercentOfCore: 2,
  skippedRates: [],
};

const byName = (results: TargetResult[], start: string) => {
  const r = results.find((t) => t.name.startsWith(start));
  if (!r) throw new Error(`no target ${start}`);
  return r;
};

test('when every figure is exactly at its target, then every measured target passes and orchestration is not judged', (t) => {
  const results = judgeTargets(good, 'choreography');
  t.deepEqual(
    results.map((r) => r.pass),
    [true, true, true, true, true, true, true, true, true, undefined],
  );
  t.regex(byName(results, 'orchestration').measured, /needs an orchestration run with --compare/);
});

test('when each figure is just past its target, then that target fails', (t) => {
  const cases: [Partial<Headline>, string][] = [
    [{ sustainedPerSec: 75 }, 'throughput'],
    [{ p99At50Ms: 60.1 }, 'p99 at 50'],
    [{ p99At100Ms: 151 }, 'p99 at 100'],
    [{ machineCpuMsPerOrderAt100: 18.1 }, 'machine CPU'],
    [{ publishesPerOrder: 10.01 }, 'broker publishes'],
    [{ quorumDeliveriesPerOrder: 8.5 }, 'quorum-queue deliveries'],
    [{ commitsPerOrder: 6.2 }, 'commits'],
    [{ singleOrderMs: 15.2 }, 'single order'],
    [{ idleStackPercentOfCore: 2.01 }, 'idle'],
  ];
  for (const [change, name] of cases) {
    const results = judgeTargets({ ...good, ...change }, 'choreography');
    t.is(byName(results, name).pass, false, name);
    t.is(results.filter((r) => r.pass === false).length, 1, name);
  }
});

test('when the 100/s step was skipped because 50/s collapsed, then its targets fail instead of being left unjudged', (t) => {
  const h: Headline = {
    ...good,
    sustainedPerSec: 0,
    p99At100Ms: undefined,
    machineCpuMsPerOrderAt100: undefined,
    skippedRates: [100, 150],
  };
  const results = judgeTargets(h, 'choreography');
  t.is(byName(results, 'p99 at 100').pass, false);
  t.is(byName(results, 'machine CPU').measured, 'not run: a lower rate collapsed');
  t.is(byName(results, 'machine CPU').pass, false);
});

test('when a rate was not asked for (--rates), or no order was decided, then n/a and fail respectively', (t) => {
  const results = judgeTargets({ ...good, p99At100Ms: undefined, p99At50Ms: Number.NaN }, 'choreography');
  t.is(byName(results, 'p99 at 100').pass, undefined);
  t.is(byName(results, 'p99 at 100').measured, 'not run');
  t.is(byName(results, 'p99 at 50').pass, false);
  t.is(byName(results, 'p99 at 50').measured, 'no order decided');
});

test("the peer's published figures stand beside each target", (t) => {
  const results = judgeTargets(good, 'choreography');
  t.is(byName(results, 'throughput').peer, '50 orders/s');
  t.is(byName(results, 'p99 at 50').peer, '≈ 570 ms');
  t.is(byName(results, 'p99 at 100').peer, 'cannot sustain 100/s');
  t.regex(byName(results, 'machine CPU').peer, /21 ms at 50\/s/);
});

const comparison = (sagaMode: string, otherSagaMode: string, within: boolean | undefined, rows: ComparisonRow[] = []): Comparison => ({
  file: 'choreo.json',
  otherStartedAt: '2026-12-01T00:00:00Z',
  otherSagaMode,
  sagaMode,
  tolerance: 0.25,
  rows,
  within,
});

test('when an orchestration run is compared with a choreography run, then the orchestration target follows the comparison', (t) => {
  const outside: ComparisonRow = { figure: 'p99 at 50 orders/s, ms', better: 'lower', thisRun: 90, other: 60, ratio: 1.5, within: false };
  t.is(byName(judgeTargets(good, 'orchestration', comparison('orchestration', 'choreography', true)), 'orchestration').pass, true);
  const failed = byName(
    judgeTargets(good, 'orchestration', comparison('orchestration', 'choreography', false, [outside])),
    'orchestration',
  );
  t.is(failed.pass, false);
  t.regex(failed.measured, /p99 at 50/);
});

test('when two runs of the same saga mode are compared, then the orchestration target is not judged', (t) => {
  const r = byName(judgeTargets(good, 'choreography', comparison('choreography', 'choreography', true)), 'orchestration');
  t.is(r.pass, undefined);
  t.regex(r.measured, /compared choreography with choreography/);
});

test('when a report predates the per-order counts, then they are not judged rather than failed', (t) => {
  const { publishesPerOrder: _p, quorumDeliveriesPerOrder: _q, commitsPerOrder: _c, ...older } = good;
  const results = judgeTargets({ ...older, skippedRates: [] }, 'choreography');
  for (const name of ['broker publishes', 'quorum-queue deliveries', 'commits']) {
    t.is(byName(results, name).pass, undefined, name);
    t.is(byName(results, name).measured, 'not counted in this run', name);
  }
});
