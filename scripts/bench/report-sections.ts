/** The report's sections for the targets' figures: CPU per order per step, the idle stack, the peer, targets. */
import type { Comparison } from './compare.ts';
import type { BenchReport } from './report.ts';
import type { SingleOrderResult } from './single-order.ts';
import { f0, f1, f2, table } from './text-table.ts';

/** CPU per order of each open-loop step, by process group, with the machine's whole busy time. */
export function cpuPerStepLines(r: BenchReport): string[] {
  if (r.open.length === 0) return [];
  const steps = r.open;
  const last = steps.at(-1)?.cpuPerOrder.byGroupMs ?? {};
  const groups = [...new Set(steps.flatMap((s) => Object.keys(s.cpuPerOrder.byGroupMs)))].sort(
    (a, b) => (last[b] ?? 0) - (last[a] ?? 0) || a.localeCompare(b),
  );
  const row = (label: string, value: (s: BenchReport['open'][number]) => string) => [label, ...steps.map(value)];
  return [
    "CPU per order by process, per open-loop step (ms; the step's CPU ÷ orders decided in it; shipping's delayed work partly falls after the step)",
    table(
      ['ms per order', ...steps.map((s) => `${s.load.offeredRate ?? 0}/s`)],
      [
        row('orders decided', (s) => String(s.cpuPerOrder.orders)),
        ...groups.map((g) => row(g, (s) => f2(s.cpuPerOrder.byGroupMs[g] ?? 0))),
        row('= the stack (services, PostgreSQL, RabbitMQ)', (s) => f2(s.cpuPerOrder.stackMs)),
        row('load generator (this bench)', (s) => f2(s.cpuPerOrder.benchMs)),
        row('other load (neither; excluded groups included)', (s) => f2(s.cpuPerOrder.otherMs)),
        row('machine busy, /proc/stat (all of it)', (s) => f2(s.cpuPerOrder.machineMs)),
        row(
          'machine busy, % of all cores',
          (s) => `${f0((s.window.cpu.machineBusySec / (s.window.cpu.wallSec * r.machine.cores)) * 100)} %`,
        ),
      ],
    ),
    '',
  ];
}

const singleRow = (when: string, s: SingleOrderResult) => [
  when,
  `${s.decided}/${s.count}`,
  f1(s.latencyMs.p50),
  f1(s.latencyMs.p99),
  f1(s.latencyMs.max),
  f1(s.latencyMs.mean),
  f1(s.acceptMs.p50),
];

export function singleOrderLines(r: BenchReport): string[] {
  const { beforeLoad, afterLoad } = r.singleOrder;
  return [
    `Single order on an idle stack (one at a time, each ${beforeLoad.pauseMs} ms after the previous one was decided; send → order.confirmed delivered to the bench)`,
    table(
      ['when', 'decided', 'p50 ms', 'p99 ms', 'max ms', 'mean ms', '202 p50 ms'],
      [singleRow('after warm-up, before the load', beforeLoad), singleRow('after the load settled', afterLoad)],
    ),
    '',
  ];
}

export function idleLines(r: BenchReport): string[] {
  const i = r.idle;
  const groups = Object.entries(i.byGroupPercentOfCore).sort((a, b) => b[1] - a[1]);
  return [
    `Idle stack — ${f0(i.wallSec)} s with no orders after everything settled (% of one core)${i.decisionsDuring ? `; warning: ${i.decisionsDuring} decisions arrived in the window` : ''}`,
    table(
      ['process group', '% of one core'],
      [
        ...groups.map(([g, p]) => [g, f2(p)]),
        ['= the stack (services, PostgreSQL, RabbitMQ)', f2(i.stackPercentOfCore)],
        ['load generator (this bench: its CPU sampler)', f2(i.benchPercentOfCore)],
        ['other load (neither; excluded groups included)', f2(i.otherPercentOfCore)],
        ['machine busy, /proc/stat (all of it)', f2(i.machinePercentOfCore)],
      ],
    ),
    ...(i.brokerElsewhere?.queues
      ? [
          `warning: the broker also held ${i.brokerElsewhere.queues} queues in ${i.brokerElsewhere.vhosts} other vhosts; their idle cost is in rabbitmq's figure`,
        ]
      : []),
    '',
  ];
}

const ratio = (ours: number | undefined, theirs: number) => (ours === undefined ? '–' : `${f2(ours / theirs)}×`);
const msOr = (v: number | undefined) => (v === undefined ? 'not run' : `${f1(v)} ms`);

/** Ours beside the peer's published figures. */
export function peerLines(r: BenchReport): string[] {
  const h = r.headline;
  const p = r.peer;
  return [
    `Beside the peer — ${p.name}; its published figures, measured on this machine`,
    table(
      ['figure', 'Orderly', 'peer', 'Orderly ÷ peer'],
      [
        [
          'highest rate sustained',
          `${h.sustainedPerSec} orders/s`,
          `${p.sustainedPerSec} orders/s`,
          ratio(h.sustainedPerSec, p.sustainedPerSec),
        ],
        ['p99 at 50 orders/s', msOr(h.p99At50Ms), `≈ ${p.p99At50Ms} ms`, ratio(h.p99At50Ms, p.p99At50Ms)],
        [
          'machine CPU per order at 50/s',
          msOr(h.machineCpuMsPerOrderAt50),
          `≈ ${p.machineCpuMsPerOrderAt50} ms`,
          ratio(h.machineCpuMsPerOrderAt50, p.machineCpuMsPerOrderAt50),
        ],
        ['p99 at 100 orders/s', msOr(h.p99At100Ms), 'cannot sustain', '–'],
        ['machine CPU per order at 100/s', msOr(h.machineCpuMsPerOrderAt100), 'cannot sustain', '–'],
      ],
    ),
    '',
  ];
}

const val = (v: number | undefined) => (v === undefined ? 'n/a' : Number.isNaN(v) ? 'none decided' : f1(v));

export function comparisonLines(c: Comparison | undefined): string[] {
  if (!c) return [];
  const verdict = c.within === undefined ? 'not judged (a figure is missing)' : c.within ? 'WITHIN' : 'NOT WITHIN';
  return [
    `Compared with ${c.file} (${c.otherStartedAt}, SAGA_MODE=${c.otherSagaMode}); this run SAGA_MODE=${c.sagaMode}; within ${f0(c.tolerance * 100)} %: ${verdict}`,
    table(
      ['figure', 'this run', 'other run', 'this ÷ other', `within ${f0(c.tolerance * 100)} %`],
      c.rows.map((row) => [
        row.figure,
        val(row.thisRun),
        val(row.other),
        Number.isFinite(row.ratio) ? `${f2(row.ratio)}×` : '–',
        row.within === undefined ? 'n/a' : row.within ? 'yes' : 'NO',
      ]),
    ),
    '',
  ];
}

export function targetsLines(r: BenchReport): string[] {
  const offTarget = r.stack.sagaMode !== 'choreography' || r.stack.pg.fsync !== 'on';
  return [
    `Targets (this 2-core machine, all seven services, choreography, durable PostgreSQL)${offTarget ? ` — note: this run is SAGA_MODE=${r.stack.sagaMode}, fsync=${r.stack.pg.fsync}` : ''}`,
    table(
      ['target', 'wanted', 'measured', 'peer', 'result'],
      r.targets.map((t) => [t.name, t.target, t.measured, t.peer, t.pass === undefined ? 'n/a' : t.pass ? 'PASS' : 'FAIL']),
    ),
  ];
}
