/**
 * The local stack's Prometheus: Debian's package (/usr/bin/prometheus, scripts/setup.sh installs it)
 * on 127.0.0.1:9090, with its configuration and data in `<ORDERLY_STATE_DIR>/prometheus`. It scrapes
 * what the chart's monitors scrape on a cluster (templates/monitoring.yaml) with the same labels, so
 * the dashboards' queries and the alert rules (charts/orderly/files/alerts, loaded here) give the same
 * answers locally — the shape the observability e2e test proves them on:
 * - each service's /metrics as job `<service>` (the ServiceMonitor relabels the component to job;
 *   the metrics carry their own `service` label);
 * - the broker's rabbitmq_prometheus plugin (setup.sh enables it): /metrics (node totals) and
 *   /metrics/detailed for the stack's vhost only, with the PodMonitor's families (per-queue depth).
 */
import { access, mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { prometheusBinary, prometheusConfig, type ScrapeTarget } from '@orderly/testkit/prometheus-config';
import { alertFiles } from '../k8s/promtool.ts';
import type { Launch } from './supervisor.ts';

const root = new URL('../..', import.meta.url).pathname;
export const prometheusPort = Number(process.env.PROMETHEUS_PORT ?? 9090);
export const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;

/** The chart's PodMonitor families for /metrics/detailed: per-queue depth, consumers and deliveries. */
export const detailedFamilies = ['queue_coarse_metrics', 'queue_consumer_count', 'queue_delivery_metrics'];

/** What to scrape: the services (and the console) at their ports, and the broker's two endpoints for the vhost. */
export function scrapeTargets(options: { services: { name: string; port: number }[]; brokerMetricsUrl: string; vhost: string }) {
  const broker = new URL(options.brokerMetricsUrl).host;
  return [
    ...options.services.map(({ name, port }): ScrapeTarget => ({ job: name, address: `127.0.0.1:${port}` })),
    { job: 'rabbitmq', address: broker },
    { job: 'rabbitmq-detailed', address: broker, path: '/metrics/detailed', params: { vhost: [options.vhost], family: detailedFamilies } },
  ];
}

/** The local stack's configuration: scraped every 5 s, rules evaluated every 15 s. */
export const localPrometheusConfig = (targets: ScrapeTarget[], ruleFiles: string[]) =>
  prometheusConfig(targets, ruleFiles, { scrapeInterval: '5s', evaluationInterval: '15s' });

/** The chart's alert rule files (promtool's unit tests beside them are not rules). */
export const chartRuleFiles = () => alertFiles(join(root, 'charts/orderly/files/alerts')).rules;

/**
 * Writes the configuration into `<stateDir>/prometheus` and says how to run Prometheus on it; the
 * data stays there between runs (a week of it), so graphs survive a restart of the stack.
 */
export async function preparePrometheus(stateDir: string, targets: ScrapeTarget[]): Promise<{ readyUrl: string; launch: () => Launch }> {
  await access(prometheusBinary).catch(() => {
    throw new Error(`${prometheusBinary} not found: run scripts/setup.sh (it installs Debian's prometheus), or set PROMETHEUS_BIN`);
  });
  // Another Prometheus there would answer our readiness check while ours fails to bind.
  if (await listening(prometheusPort))
    throw new Error(`something already listens on 127.0.0.1:${prometheusPort}: stop it, or give Prometheus another PROMETHEUS_PORT`);
  const dir = join(stateDir, 'prometheus');
  await mkdir(join(dir, 'data'), { recursive: true });
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, `${JSON.stringify(localPrometheusConfig(targets, chartRuleFiles()), null, 2)}\n`);
  const launch = () => ({
    command: prometheusBinary,
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--storage.tsdb.retention.time=7d',
      `--web.listen-address=127.0.0.1:${prometheusPort}`,
      // The latency panels link a slow bucket to its trace.
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ],
    env: { PATH: process.env.PATH ?? '' },
  });
  return { readyUrl: `${prometheusUrl}/-/ready`, launch };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('connect', () => done(true)).once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}
