/**
 * The performance targets (docs/benchmark.md#targets), judged against a run's headline
 * figures, each beside the peer's published figure. Set for this 2-core machine, all seven services,
 * choreography, durable PostgreSQL, the load generator on the same box. Pure.
 */
import type { Comparison } from './compare.ts';
import type { Headline } from './figures.ts';
import { peer } from './peer.ts';

export interface TargetResult {
  name: string;
  target: string;
  measured: string;
  /** The peer's published figure for the same thing. */
  peer: string;
  /** undefined: not judged in this run (the phase did not run, or nothing to compare with). */
  pass: boolean | undefined;
}

/** The limits, in one place so the docs and the tests name the same numbers. */
export const limits = {
  sustainedPerSec: 100,
  p99At50Ms: 60,
  p99At100Ms: 150,
  machineCpuMsPerOrderAt100: 18,
  publishesPerOrder: 10,
  quorumDeliveriesPerOrder: 8,
  commitsPerOrder: 6,
  singleOrderMs: 15,
  idleStackPercentOfCore: 2,
} as const;

const ms = (v: number | undefined) => (v === undefined ? 'not run' : Number.isNaN(v) ? 'no order decided' : `${v.toFixed(1)} ms`);

/**
 * A figure measured at an open-loop rate: a step that did not run is not judged, unless it was
 * skipped because a lower rate collapsed (then it fails); a step where nothing was decided fails.
 */
function atRate(h: Headline, rate: number, v: number | undefined, limit: number): Pick<TargetResult, 'measured' | 'pass'> {
  if (v === undefined && h.skippedRates.includes(rate)) return { measured: 'not run: a lower rate collapsed', pass: false };
  return { measured: ms(v), pass: atMost(v, limit) };
}
const atMost = (v: number | undefined, limit: number) => (v === undefined ? undefined : !Number.isNaN(v) && v <= limit);

/** A per-order count over the whole measured run (a report from before the count existed: not judged). */
function count(name: string, v: number | undefined, limit: number): TargetResult {
  return {
    name: `${name} per order`,
    target: `≤ ${limit}`,
    measured: v === undefined ? 'not counted in this run' : v.toFixed(2),
    peer: 'not published',
    pass: atMost(v, limit),
  };
}

function orchestrationWithin(sagaMode: string, c: Comparison | undefined): Pick<TargetResult, 'measured' | 'pass'> {
  const how = 'needs an orchestration run with --compare <choreography run.json>';
  if (!c) return { measured: `not judged: ${how}`, pass: undefined };
  if (sagaMode !== 'orchestration' || c.otherSagaMode !== 'choreography')
    return { measured: `not judged: compared ${sagaMode} with ${c.otherSagaMode}; ${how}`, pass: undefined };
  const worst = c.rows.filter((r) => r.within === false).map((r) => r.figure);
  const measured =
    c.within === undefined ? 'a figure is missing from one run' : c.within ? 'every figure within' : `outside: ${worst.join('; ')}`;
  return { measured, pass: c.within };
}

export function judgeTargets(h: Headline, sagaMode: string, comparison?: Comparison): TargetResult[] {
  return [
    {
      name: 'throughput, sustained end to end (open loop)',
      target: `≥ ${limits.sustainedPerSec} orders/s`,
      measured: `${h.sustainedPerSec} orders/s`,
      peer: `${peer.sustainedPerSec} orders/s`,
      pass: h.sustainedPerSec >= limits.sustainedPerSec,
    },
    {
      name: 'p99 at 50 orders/s',
      target: `≤ ${limits.p99At50Ms} ms`,
      peer: `≈ ${peer.p99At50Ms} ms`,
      ...atRate(h, 50, h.p99At50Ms, limits.p99At50Ms),
    },
    {
      name: 'p99 at 100 orders/s',
      target: `≤ ${limits.p99At100Ms} ms`,
      peer: 'cannot sustain 100/s',
      ...atRate(h, 100, h.p99At100Ms, limits.p99At100Ms),
    },
    {
      name: 'machine CPU per order at 100 orders/s',
      target: `≤ ${limits.machineCpuMsPerOrderAt100} ms`,
      peer: `≈ ${peer.machineCpuMsPerOrderAt50} ms at 50/s; cannot sustain 100/s`,
      ...atRate(h, 100, h.machineCpuMsPerOrderAt100, limits.machineCpuMsPerOrderAt100),
    },
    count('broker publishes', h.publishesPerOrder, limits.publishesPerOrder),
    count('quorum-queue deliveries', h.quorumDeliveriesPerOrder, limits.quorumDeliveriesPerOrder),
    count('commits', h.commitsPerOrder, limits.commitsPerOrder),
    {
      name: 'single order placed → decided, idle stack (p50)',
      target: `≤ ${limits.singleOrderMs} ms`,
      measured: ms(h.singleOrderMs),
      peer: 'not published',
      pass: atMost(h.singleOrderMs, limits.singleOrderMs),
    },
    {
      name: 'idle stack CPU',
      target: `≤ ${limits.idleStackPercentOfCore} % of one core`,
      measured: h.idleStackPercentOfCore === undefined ? 'not run' : `${h.idleStackPercentOfCore.toFixed(2)} % of one core`,
      peer: 'not published',
      pass: atMost(h.idleStackPercentOfCore, limits.idleStackPercentOfCore),
    },
    {
      name: 'orchestration within 25 % of choreography',
      target: 'each figure ≤ 25 % worse',
      peer: '–',
      ...orchestrationWithin(sagaMode, comparison),
    },
  ];
}
