import test from 'ava';
import { cpuPerOrder } from '../cpu-per-order.ts';
import { headline } from '../figures.ts';
import { summarizeIdle } from '../idle.ts';
import type { OrderRecord } from '../load-result.ts';
import type { CpuUsage } from '../process-cpu.ts';
import { summarizeSingleOrders } from '../single-order.ts';

const usage = (wallSec: number, byGroup: Record<string, number>, benchSec: number, otherSec: number): CpuUsage => {
  const stackSec = Object.entries(byGroup)
    .filter(([g]) => !g.endsWith('(excluded)'))
    .reduce((s, [, v]) => s + v, 0);
  const excluded = Object.values(byGroup).reduce((s, v) => s + v, 0) - stackSec;
  return {
    wallSec,
    byGroup,
    stackSec,
    benchSec,
    otherSec: otherSec + excluded,
    machineBusySec: stackSec + benchSec + otherSec + excluded,
    cores: 2,
  };
};

test('when a step decided 1000 orders, then CPU per order is shown machine-wide, for the stack, for each group, the bench and the rest', (t) => {
  const cpu = usage(
    10,
    { 'service order': 2, 'rabbitmq (beam.smp)': 3, 'postgres backends (orderly)': 4, 'other databases (excluded)': 0.5 },
    1,
    0.5,
  );
  const c = cpuPerOrder(cpu, 1000);
  t.is(c.stackMs, 9);
  t.is(c.benchMs, 1);
  t.is(c.otherMs, 1);
  t.is(c.machineMs, 11);
  t.is(c.byGroupMs['rabbitmq (beam.smp)'], 3);
  t.is(c.byGroupMs['other databases (excluded)'], 0.5);
});

test('when a step decided no order, then CPU per order is NaN rather than the CPU itself', (t) => {
  const c = cpuPerOrder(usage(10, { 'service order': 2 }, 1, 0), 0);
  t.true(Number.isNaN(c.machineMs));
  t.true(Number.isNaN(c.byGroupMs['service order'] as number));
});

test('when the idle stack used 0.3 CPU-s in 30 s, then it used 1 % of one core', (t) => {
  const idle = summarizeIdle(usage(30, { 'service order': 0.12, 'postgres background': 0.18 }, 0.06, 0.3), 0);
  t.is(Math.round(idle.stackPercentOfCore * 1000) / 1000, 1);
  t.is(Math.round((idle.byGroupPercentOfCore['postgres background'] as number) * 1000) / 1000, 0.6);
  t.is(Math.round(idle.benchPercentOfCore * 1000) / 1000, 0.2);
  t.is(Math.round(idle.machinePercentOfCore * 1000) / 1000, 2.2);
});

const rec = (
  sentMs: number,
  acceptedAfter: number | undefined,
  decidedAfter: number | undefined,
  outcome: OrderRecord['outcome'],
): OrderRecord => ({
  intendedMs: sentMs,
  outcome,
  ...(acceptedAfter === undefined ? {} : { acceptedMs: sentMs + acceptedAfter }),
  ...(decidedAfter === undefined ? {} : { decidedMs: sentMs + decidedAfter }),
});

test('when single orders are decided in 8–30 ms and one times out, then the latency covers the decided ones and the failure is counted', (t) => {
  const records = [
    rec(1000, 2, 8, 'confirmed'),
    rec(2000, 2, 10, 'confirmed'),
    rec(3000, 3, 12, 'confirmed'),
    rec(4000, 3, 30, 'rejected'),
    rec(5000, 2, undefined, 'timeout'),
    rec(6000, undefined, undefined, 'http_error'),
  ];
  const s = summarizeSingleOrders(records, 300);
  t.is(s.count, 6);
  t.is(s.decided, 4);
  t.is(s.failed, 2);
  t.is(s.latencyMs.count, 4);
  // The HDR histogram keeps 3 significant digits: each percentile within 0.1 %.
  t.true(Math.abs(s.latencyMs.p50 - 10) <= 0.01, String(s.latencyMs.p50));
  t.true(Math.abs(s.latencyMs.max - 30) <= 0.03, String(s.latencyMs.max));
  t.is(s.acceptMs.count, 5);
  t.is(s.pauseMs, 300);
});

const step = (rate: number, decided: number, p99: number, machineBusySec: number) => ({
  load: { offeredRate: rate, confirmed: decided, rejected: 0, latencyMs: { p99 } },
  window: { cpu: { machineBusySec } },
});

test('headline: machine CPU per order at 100/s is the step window’s machine busy time ÷ its decided orders; the single order is the worse of before and after the load', (t) => {
  const h = headline({
    highestSustainedRate: 100,
    skippedRates: [200],
    open: [step(50, 2000, 30, 30), step(100, 4000, 80, 48), step(150, 3000, 9000, 50)],
    singleOrder: { beforeLoad: { latencyMs: { p50: 9 } }, afterLoad: { latencyMs: { p50: 13 } } },
    idle: { stackPercentOfCore: 1.5 },
  });
  t.is(h.machineCpuMsPerOrderAt50, 15);
  t.is(h.machineCpuMsPerOrderAt100, 12);
  t.is(h.p99At100Ms, 80);
  t.is(h.singleOrderMs, 13);
  t.is(h.idleStackPercentOfCore, 1.5);
  t.deepEqual(h.skippedRates, [200]);
});

test('headline: a rate that did not run is undefined; a single-order phase with nothing decided makes the figure NaN', (t) => {
  const h = headline({
    highestSustainedRate: 0,
    open: [step(50, 0, Number.NaN, 30)],
    singleOrder: { beforeLoad: { latencyMs: { p50: 9 } }, afterLoad: { latencyMs: { p50: Number.NaN } } },
  });
  t.true(Number.isNaN(h.machineCpuMsPerOrderAt50));
  t.is(h.p99At100Ms, undefined);
  t.true(Number.isNaN(h.singleOrderMs));
  t.is(h.idleStackPercentOfCore, undefined);
});
