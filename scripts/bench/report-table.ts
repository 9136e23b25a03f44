/** The human-readable report printed at the end of a run. */
import type { LoadSummary } from './load-result.ts';
import type { StatementsReport } from './pg-statements.ts';
import type { BenchReport } from './report.ts';
import { comparisonLines, cpuPerStepLines, idleLines, peerLines, singleOrderLines, targetsLines } from './report-sections.ts';
import { f0, f1, f2, table } from './text-table.ts';

/** The columns both load tables share: rates and latency percentiles. */
const loadCells = (l: LoadSummary) => [
  f0(l.acceptedPerSec),
  f0(l.completedPerSec),
  f1(l.latencyMs.p50),
  f1(l.latencyMs.p95),
  f1(l.latencyMs.p99),
  f1(l.latencyMs.max),
];

/** The pg_stat_statements table, or one line saying why there is none. */
export function statementsLines(s: StatementsReport): string[] {
  if (!s.available) return [`PostgreSQL statements: pg_stat_statements not available (${s.reason}); to enable: ${s.howToEnable}`, ''];
  return [
    `PostgreSQL statements — top ${s.top.length} of ${s.statements} by execution time in database ${s.database} over the measured run (pg_stat_statements${s.reset ? '' : ', deltas: reset not permitted'}; all statements: ${f2(s.totalExecSec)} s)`,
    table(
      ['statement', 'calls/order', 'mean ms', 'total s', 'share'],
      s.top.map((t) => [t.query, f2(t.callsPerOrder), f2(t.meanMs), f2(t.totalSec), `${f0(t.share * 100)} %`]),
    ),
    '',
  ];
}

export function renderReport(r: BenchReport): string {
  const out: string[] = [];
  out.push(
    `Orderly benchmark — ${r.startedAt}${r.options.quick ? ' (--quick)' : ''}`,
    `machine: ${r.machine.cores} cores, ${r.machine.cpuModel}; node ${r.machine.node}; stack ${r.stack.startedByBench ? 'started by the bench' : 'already running'}; SAGA_MODE=${r.stack.sagaMode}; services ${r.stack.processes === 'one' ? 'in one process' : 'each its own process'}`,
    `measured: database ${r.stack.target.database}, vhost ${r.stack.target.vhost}${r.stack.target.fresh ? ' (both created fresh for this run, dropped after it)' : " (as they were: earlier runs' rows included)"}`,
    `postgres ${r.stack.pg.server_version ?? '?'}: fsync=${r.stack.pg.fsync}, synchronous_commit=${r.stack.pg.synchronous_commit}, full_page_writes=${r.stack.pg.full_page_writes}`,
    `latency = bench send (intended time in open loop) → order.confirmed/rejected delivered to the bench's queue; percentiles of every order (HDR histogram, 3 significant digits)`,
    '',
    'Closed loop',
  );
  out.push(
    table(
      ['concurrency', 'accepted/s', 'completed/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors', 'CPU ms/order'],
      r.closed.map((s) => [
        s.load.concurrency ?? 0,
        ...loadCells(s.load),
        s.load.httpErrors + s.load.timedOut + s.load.rejected,
        f2(s.cpuPerOrder.stackMs),
      ]),
    ),
    '',
    'Open loop (coordinated-omission safe: latency from the intended send time)',
    table(
      [
        'offered/s',
        'accepted/s',
        'completed/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'max ms',
        'send lag p99',
        'backlog mid→end',
        'sustained',
        'machine CPU ms/order',
        'stack CPU ms/order',
      ],
      r.open.map((s) => [
        s.load.offeredRate ?? 0,
        ...loadCells(s.load),
        f1(s.load.sendLagMs?.p99 ?? Number.NaN),
        `${s.load.backlog?.backlogMid ?? '–'}→${s.load.backlog?.backlogEnd ?? '–'}`,
        s.load.backlog?.sustained ? 'yes' : `no (${s.load.backlog?.why})`,
        f2(s.cpuPerOrder.machineMs),
        f2(s.cpuPerOrder.stackMs),
      ]),
    ),
    `highest rate sustained: ${r.highestSustainedRate} orders/s; best completed/s of any step: ${f0(r.bestCompletedPerSec)}${r.skippedRates.length ? `; not run (a lower rate collapsed): ${r.skippedRates.join(', ')} orders/s` : ''}`,
    '',
    ...cpuPerStepLines(r),
    ...singleOrderLines(r),
    ...idleLines(r),
  );
  const hopStep = r.hopStep;
  if (hopStep) {
    out.push(
      `Per hop — ${hopStep.label} (services' orderly_hop_latency_seconds deltas: event time → handler committed; mean exact, percentiles interpolated in buckets)`,
    );
    out.push(
      table(
        ['hop (from → queue)', 'count', 'mean ms', 'p50 ms', 'p95 ms', 'p99 ms'],
        Object.entries(hopStep.window.metrics.hops).map(([k, h]) => [
          k.replace('from=', '').replace(',to=', ' → '),
          h.count,
          f1(h.meanMs),
          f1(h.p50Ms),
          f1(h.p95Ms),
          f1(h.p99Ms),
        ]),
      ),
      '',
      table(
        ['outbox relay (row written → confirmed)', 'count', 'mean ms', 'p99 ms'],
        Object.entries(hopStep.window.metrics.outboxLag).map(([k, h]) => [k.replace('service=', ''), h.count, f1(h.meanMs), f1(h.p99Ms)]),
      ),
      '',
      table(
        ['handler (queue, type)', 'count', 'mean ms', 'p99 ms'],
        Object.entries(hopStep.window.metrics.handleDuration).map(([k, h]) => [k, h.count, f1(h.meanMs), f1(h.p99Ms)]),
      ),
      '',
    );
  }
  const cpu = r.cpu;
  out.push(
    `CPU per order — whole measured run (${f0(cpu.wallSec)} s, ${r.ordersCompleted} orders, shipping's delayed work included): ${f2(cpu.msPerOrder)} ms`,
    table(
      ['process group', 'CPU s', 'ms/order', 'share'],
      Object.entries(cpu.byGroup)
        .filter(([, s]) => s >= 0.005)
        .sort((a, b) => b[1] - a[1])
        .map(([g, s]) => [g, f2(s), f2((s * 1000) / Math.max(1, r.ordersCompleted)), `${f0((s / cpu.stackSec) * 100)} %`]),
    ),
    `load generator (bench): ${f2(cpu.benchSec)} s; other load on the machine: ${f2(cpu.otherSec)} s; machine busy ${f0((cpu.machineBusySec / (cpu.wallSec * r.machine.cores)) * 100)} % of ${r.machine.cores} cores`,
    '',
    ...statementsLines(r.pgStatements),
    'Machine limits (same servers, same run) and the bound (information; no longer a target)',
  );
  const b = r.bound;
  out.push(
    table(
      ['', 'capacity', 'per order', 'orders/s bound'],
      [
        [
          `PostgreSQL small write tx/s (${r.limits.pg.tool}, ${r.limits.pg.clients} clients)`,
          f0(r.limits.pg.txPerSec),
          `${f2(r.perOrder.commits)} commits`,
          f0(b.byPostgres),
        ],
        [
          `RabbitMQ persistent confirmed msgs/s (quorum, ${r.limits.broker.publishers} publishers)`,
          f0(r.limits.broker.msgsPerSec),
          `${f2(r.perOrder.deliveries)} deliveries`,
          f0(b.byBroker),
        ],
      ],
    ),
    `bound = ${f0(b.ordersPerSec)} orders/s (limited by ${b.limitedBy}); achieved ${f0(r.bestCompletedPerSec)} orders/s = ${f0(r.boundFraction * 100)} % of it`,
    `per order also: ${f2(r.perOrder.quorumDeliveries)} of those deliveries from quorum queues (the rest from the stream), ${f2(r.perOrder.publishes)} broker publishes, ${f2(r.perOrder.consumedByServices)} messages handled by services (their own counters)`,
    '',
    ...peerLines(r),
    ...comparisonLines(r.comparison),
    ...targetsLines(r),
  );
  return out.join('\n');
}
