/**
 * CPU per order of one measured window, split so nothing hides: the machine's whole busy time
 * (/proc/stat: every process, the bench and other people's load included), the stack, each process
 * group (each service, RabbitMQ, PostgreSQL's backends and background processes), the bench itself,
 * and the rest. Pure.
 */
import type { CpuUsage } from './process-cpu.ts';

export interface CpuPerOrder {
  /** Orders the CPU is divided by (decided orders of the step). */
  orders: number;
  /** Machine busy time ÷ orders: what the CPU target judges. */
  machineMs: number;
  /** The stack's processes (services, PostgreSQL, RabbitMQ) ÷ orders. */
  stackMs: number;
  /** The load generator (this bench process) ÷ orders. */
  benchMs: number;
  /** Busy time of no process of the stack nor the bench (other load, other databases' backends) ÷ orders. */
  otherMs: number;
  /** Every process group's CPU ÷ orders, excluded groups too. */
  byGroupMs: Record<string, number>;
}

/** NaN per order when no order was decided (written as null in the JSON). */
export function cpuPerOrder(cpu: CpuUsage, orders: number): CpuPerOrder {
  const per = (sec: number) => (orders > 0 ? (sec * 1000) / orders : Number.NaN);
  return {
    orders,
    machineMs: per(cpu.machineBusySec),
    stackMs: per(cpu.stackSec),
    benchMs: per(cpu.benchSec),
    otherMs: per(cpu.otherSec),
    byGroupMs: Object.fromEntries(Object.entries(cpu.byGroup).map(([g, s]) => [g, per(s)])),
  };
}
