/** The project's performance targets (docs/benchmark.md#targets), judged against a run's results. */

export interface TargetInput {
  highestSustainedRate: number;
  /** p99 (ms) of the open-loop step at the given offered rate, if it ran. */
  p99AtRate: (rate: number) => number | undefined;
  cpuMsPerOrder: number;
  boundFraction: number;
}

export interface TargetResult {
  name: string;
  target: string;
  measured: string;
  pass: boolean | undefined;
}

const ms = (v: number | undefined) => (v === undefined ? 'not run' : Number.isNaN(v) ? 'no order decided' : `${v.toFixed(1)} ms`);
/** undefined when the step did not run; a step where nothing was decided fails. */
const atMost = (v: number | undefined, limit: number) => (v === undefined ? undefined : !Number.isNaN(v) && v <= limit);

export function judgeTargets(i: TargetInput): TargetResult[] {
  const p50 = i.p99AtRate(50);
  const p200 = i.p99AtRate(200);
  return [
    {
      name: 'throughput, sustained end to end',
      target: '≥ 400 orders/s',
      measured: `${i.highestSustainedRate} orders/s`,
      pass: i.highestSustainedRate >= 400,
    },
    { name: 'p99 at 50 orders/s', target: '≤ 60 ms', measured: ms(p50), pass: atMost(p50, 60) },
    { name: 'p99 at 200 orders/s', target: '≤ 150 ms', measured: ms(p200), pass: atMost(p200, 150) },
    { name: 'CPU per order', target: '≤ 4 ms', measured: ms(i.cpuMsPerOrder), pass: atMost(i.cpuMsPerOrder, 4) },
    {
      name: 'fraction of the measured bound',
      target: '≥ 50 %',
      measured: `${(i.boundFraction * 100).toFixed(0)} %`,
      pass: i.boundFraction >= 0.5,
    },
  ];
}
