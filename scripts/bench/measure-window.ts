/**
 * A measured window: CPU of every process in the stack, the services' metrics, PostgreSQL commits
 * and the bench's own deliveries, sampled at its start and end and differenced.
 */
import type { CompletionWatcher } from './completions.ts';
import { type PgStats, xactCommit } from './pg-stats.ts';
import { type CpuSample, type CpuSampler, type CpuUsage, cpuBetween } from './process-cpu.ts';
import { metricsBetween, type Scrape, type ServiceMetricsDelta, scrapeAll } from './service-metrics.ts';

export interface WindowProbes {
  cpu: CpuSampler;
  pg: PgStats;
  watcher: CompletionWatcher;
}

export interface WindowStart {
  cpu: CpuSample;
  scrape: Scrape;
  commits: number;
  benchDeliveries: number;
}

export interface WindowDelta {
  cpu: CpuUsage;
  metrics: ServiceMetricsDelta;
  /** Commits in database orderly (the bench's own stats queries included: a handful). */
  commits: number;
  /** Terminal events delivered to the bench's queue. */
  benchDeliveries: number;
}

export async function openWindow(p: WindowProbes): Promise<WindowStart> {
  const [scrape, commits] = await Promise.all([scrapeAll(), xactCommit(p.pg)]);
  return { cpu: await p.cpu.sample(), scrape, commits, benchDeliveries: p.watcher.received };
}

export async function closeWindow(p: WindowProbes, start: WindowStart): Promise<WindowDelta> {
  const cpu = await p.cpu.sample();
  const [scrape, commits] = await Promise.all([scrapeAll(), xactCommit(p.pg)]);
  return {
    cpu: cpuBetween(start.cpu, cpu),
    metrics: metricsBetween(start.scrape, scrape),
    commits: commits - start.commits,
    benchDeliveries: p.watcher.received - start.benchDeliveries,
  };
}
