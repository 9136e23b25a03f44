/** The run's result as one JSON-serialisable object, and writing it (JSON + SVG chart) to disk. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bound } from './bound.ts';
import { renderChart } from './chart-svg.ts';
import type { Comparison } from './compare.ts';
import type { CpuPerOrder } from './cpu-per-order.ts';
import type { Headline } from './figures.ts';
import type { Target } from './fresh-target.ts';
import type { IdleUsage } from './idle.ts';
import type { LoadSummary } from './load-result.ts';
import type { WindowDelta } from './measure-window.ts';
import type { BenchOptions } from './options.ts';
import type { peer } from './peer.ts';
import type { PgLimit } from './pg-limit.ts';
import type { StatementsReport } from './pg-statements.ts';
import type { CpuUsage } from './process-cpu.ts';
import type { BrokerLimit } from './rabbit-limit.ts';
import type { PerOrder, RunCounts } from './run-counts.ts';
import type { SingleOrderResult } from './single-order.ts';
import type { TargetResult } from './targets.ts';

export interface StepResult {
  label: string;
  load: LoadSummary;
  window: WindowDelta;
  /** The step's CPU ÷ its decided orders (shipping's delayed work partly outside the window): machine-wide, the stack, each process group, the bench, the rest. */
  cpuPerOrder: CpuPerOrder;
}

export interface BenchReport {
  startedAt: string;
  options: BenchOptions;
  /** Open-loop rates not run because a lower one collapsed. */
  skippedRates: number[];
  machine: { cores: number; cpuModel: string; node: string };
  stack: {
    startedByBench: boolean;
    /** The database and vhost measured; fresh = created empty for this run by the bench. */
    target: Target;
    sagaMode: string;
    /** Each service its own process, or all in one (npm start's ORDERLY_PROCESSES=one): told apart by their pids. */
    processes: 'per-service' | 'one';
    pids: Record<string, number | undefined>;
    pg: Record<string, string>;
  };
  closed: StepResult[];
  open: StepResult[];
  /** The step whose per-hop latencies the table shows. */
  hopStep?: StepResult;
  highestSustainedRate: number;
  bestCompletedPerSec: number;
  /** Terminal events the bench received in the run window (timed-out orders decided late included). */
  ordersCompleted: number;
  cpu: CpuUsage & { msPerOrder: number };
  /** Top statements by execution time over the measured run (pg_stat_statements), if available. */
  pgStatements: StatementsReport;
  perOrder: PerOrder;
  counters: RunCounts['counters'];
  limits: { pg: PgLimit; broker: BrokerLimit };
  bound: Bound;
  boundFraction: number;
  /** Single orders on the idle stack: after the warm-up settled (before the load) and after the load settled. */
  singleOrder: { beforeLoad: SingleOrderResult; afterLoad: SingleOrderResult };
  /** The stack's CPU over a window with no orders, after everything settled. */
  idle: IdleUsage;
  /** The figures a user compares (and the targets judge). */
  headline: Headline;
  /** The peer's published figures, printed beside ours. */
  peer: typeof peer;
  /** This run's figures against an earlier run's (--compare). */
  comparison?: Comparison;
  targets: TargetResult[];
}

export async function writeReport(dir: string, stamp: string, report: BenchReport): Promise<{ json: string; svg: string }> {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${stamp}.json`);
  const svg = join(dir, `${stamp}.svg`);
  const finite = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
  writeFileSync(json, `${JSON.stringify(report, finite, 2)}\n`);
  const points = report.open.map((s) => ({
    x: s.load.completedPerSec,
    offered: s.load.offeredRate ?? 0,
    p50: s.load.latencyMs.p50,
    p95: s.load.latencyMs.p95,
    p99: s.load.latencyMs.p99,
  }));
  writeFileSync(
    svg,
    await renderChart(points, {
      title: 'Orderly: order placed → decided latency vs throughput (open loop)',
      subtitle: `${report.startedAt}, ${report.machine.cores} cores${report.options.quick ? ', --quick' : ''}; highest sustained ${report.highestSustainedRate} orders/s`,
      targets: [
        { ms: 60, label: 'p99 ≤ 60 ms @ 50/s' },
        { ms: 150, label: 'p99 ≤ 150 ms @ 100/s' },
      ],
    }),
  );
  return { json, svg };
}
