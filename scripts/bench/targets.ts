/**
 * Issue 12's performance targets (docs/benchmark.md#targets), judged against a run's headline
 * figures, each beside the peer's published figure. Set for this 2-core machine, all seven services,
 * choreography, durable PostgreSQL. Pure.
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
      target: '≥ 150 orders/s',
      measured: `${h.sustainedPerSec} orders/s`,
      peer: `${peer.sustainedPerSec} orders/s`,
      pass: h.sustainedPerSec >= 150,
    },
    { name: 'p99 at 50 orders/s', target: '≤ 60 ms', peer: `≈ ${peer.p99At50Ms} ms`, ...atRate(h, 50, h.p99At50Ms, 60) },
    { name: 'p99 at 100 orders/s', target: '≤ 150 ms', peer: 'cannot sustain 100/s', ...atRate(h, 100, h.p99At100Ms, 150) },
    {
      name: 'machine CPU per order at 100 orders/s',
      target: '≤ 12 ms',
      peer: `≈ ${peer.machineCpuMsPerOrderAt50} ms at 50/s; cannot sustain 100/s`,
      ...atRate(h, 100, h.machineCpuMsPerOrderAt100, 12),
    },
    {
      name: 'single order placed → decided, idle stack (p50)',
      target: '≤ 15 ms',
      measured: ms(h.singleOrderMs),
      peer: 'not published',
      pass: atMost(h.singleOrderMs, 15),
    },
    {
      name: 'idle stack CPU',
      target: '≤ 2 % of one core',
      measured: h.idleStackPercentOfCore === undefined ? 'not run' : `${h.idleStackPercentOfCore.toFixed(2)} % of one core`,
      peer: 'not published',
      pass: atMost(h.idleStackPercentOfCore, 2),
    },
    {
      name: 'orchestration within 25 % of choreography',
      target: 'each figure ≤ 25 % worse',
      peer: '–',
      ...orchestrationWithin(sagaMode, comparison),
    },
  ];
}
