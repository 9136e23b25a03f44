/**
 * The figures a user compares: highest sustained rate, p99 and machine CPU per order at
 * 50 and 100 orders/s, a single order's latency on an idle stack, the idle stack's CPU. Taken from a
 * report's own fields, so an earlier report's JSON (without the newer sections) still yields the
 * figures it has. Pure.
 */

/** The parts of a report (in memory, or parsed from an earlier run's JSON) the figures come from. */
export interface FiguresSource {
  highestSustainedRate: number;
  skippedRates?: readonly number[];
  open: readonly {
    load: { offeredRate?: number | undefined; confirmed: number; rejected: number; latencyMs: { p99: number } };
    window: { cpu: { machineBusySec: number } };
  }[];
  singleOrder?: { beforeLoad?: { latencyMs: { p50: number } }; afterLoad?: { latencyMs: { p50: number } } } | undefined;
  idle?: { stackPercentOfCore: number } | undefined;
  /** Absent from runs before the per-order targets (and quorumDeliveries from runs before it was counted apart). */
  perOrder?: { publishes: number; commits: number; quorumDeliveries?: number } | undefined;
}

/** undefined: the step or phase did not run; NaN: it ran but no order was decided. */
export interface Headline {
  sustainedPerSec: number;
  p99At50Ms?: number;
  p99At100Ms?: number;
  /** Machine busy time in the step's window ÷ orders decided in it. */
  machineCpuMsPerOrderAt50?: number;
  machineCpuMsPerOrderAt100?: number;
  /** p50 placed → decided of single orders on an idle stack; the worse of before and after the load. */
  singleOrderMs?: number;
  idleStackPercentOfCore?: number;
  /** Broker publishes, quorum-queue deliveries and commits per decided order over the whole measured run. */
  publishesPerOrder?: number;
  quorumDeliveriesPerOrder?: number;
  commitsPerOrder?: number;
  /** Open-loop rates not run because a lower one collapsed (their targets fail). */
  skippedRates: number[];
}

/** The worse (higher) of the values that exist; NaN if any of them is NaN. */
const worst = (values: (number | undefined)[]) => {
  const present = values.filter((v): v is number => v !== undefined);
  if (present.length === 0) return undefined;
  return present.some(Number.isNaN) ? Number.NaN : Math.max(...present);
};

export function headline(r: FiguresSource): Headline {
  const at = (rate: number) => r.open.find((s) => s.load.offeredRate === rate);
  const p99 = (rate: number) => at(rate)?.load.latencyMs.p99;
  const machineCpu = (rate: number) => {
    const s = at(rate);
    if (!s) return undefined;
    const decided = s.load.confirmed + s.load.rejected;
    return decided > 0 ? (s.window.cpu.machineBusySec * 1000) / decided : Number.NaN;
  };
  // exactOptionalPropertyTypes is off: an absent figure is undefined, and the JSON leaves it out.
  return {
    sustainedPerSec: r.highestSustainedRate,
    p99At50Ms: p99(50),
    p99At100Ms: p99(100),
    machineCpuMsPerOrderAt50: machineCpu(50),
    machineCpuMsPerOrderAt100: machineCpu(100),
    singleOrderMs: worst([r.singleOrder?.beforeLoad?.latencyMs.p50, r.singleOrder?.afterLoad?.latencyMs.p50]),
    idleStackPercentOfCore: r.idle?.stackPercentOfCore,
    publishesPerOrder: r.perOrder?.publishes,
    quorumDeliveriesPerOrder: r.perOrder?.quorumDeliveries,
    commitsPerOrder: r.perOrder?.commits,
    skippedRates: [...(r.skippedRates ?? [])],
  };
}
