/**
 * The stack's CPU while idle: no order is placed for a window after the stack has settled, and
 * every process group's CPU over it is reported as a percentage of one core. Timers, polls,
 * scrapes and connection-pool churn are all that run, which is what the idle target judges.
 */
import type { CompletionWatcher } from './completions.ts';
import { type CpuSampler, type CpuUsage, cpuBetween } from './process-cpu.ts';

export interface IdleUsage {
  wallSec: number;
  /** The stack's processes (services, PostgreSQL, RabbitMQ), % of one core: what the target judges. */
  stackPercentOfCore: number;
  /** The machine's whole busy time, % of one core (the bench and other load included). */
  machinePercentOfCore: number;
  benchPercentOfCore: number;
  otherPercentOfCore: number;
  byGroupPercentOfCore: Record<string, number>;
  /** Terminal events the bench received in the window: 0 unless an earlier order was still deciding. */
  decisionsDuring: number;
  /** Queues in the broker's other vhosts during the window: their idle cost is in RabbitMQ's figure. */
  brokerElsewhere?: { vhosts: number; queues: number };
}

/** Pure: the window's CPU as % of one core. */
export function summarizeIdle(cpu: CpuUsage, decisionsDuring: number): IdleUsage {
  const pct = (sec: number) => (cpu.wallSec > 0 ? (sec / cpu.wallSec) * 100 : Number.NaN);
  return {
    wallSec: cpu.wallSec,
    stackPercentOfCore: pct(cpu.stackSec),
    machinePercentOfCore: pct(cpu.machineBusySec),
    benchPercentOfCore: pct(cpu.benchSec),
    otherPercentOfCore: pct(cpu.otherSec),
    byGroupPercentOfCore: Object.fromEntries(Object.entries(cpu.byGroup).map(([g, s]) => [g, pct(s)])),
    decisionsDuring,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureIdle(
  cpu: CpuSampler,
  watcher: CompletionWatcher,
  seconds: number,
  onTick?: (sec: number) => void,
  elsewhere?: () => Promise<{ vhosts: number; queues: number }>,
): Promise<IdleUsage> {
  const brokerElsewhere = await elsewhere?.();
  const a = await cpu.sample();
  const received = watcher.received;
  for (let s = 0; s < seconds; s++) {
    onTick?.(s);
    await sleep(1000);
  }
  const b = await cpu.sample();
  return { ...summarizeIdle(cpuBetween(a, b), watcher.received - received), ...(brokerElsewhere ? { brokerElsewhere } : {}) };
}
