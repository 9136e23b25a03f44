/**
 * A Prometheus configuration for scrape targets, shared by the test runner (./prometheus.ts) and
 * the local stack's Prometheus (scripts/local/prometheus.ts). Its own subpath export, so that the
 * local stack does not load the whole testkit (every service) to write a config file.
 */
export const prometheusBinary = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

export interface ScrapeTarget {
  job: string;
  /** host:port */
  address: string;
  path?: string;
  params?: Record<string, string[]>;
}

/** JSON is YAML, so the result is written as JSON: no YAML writer is needed. */
export function prometheusConfig(
  targets: ScrapeTarget[],
  ruleFiles: string[],
  { scrapeInterval, evaluationInterval }: { scrapeInterval: string; evaluationInterval: string },
) {
  return {
    global: { scrape_interval: scrapeInterval, scrape_timeout: scrapeInterval, evaluation_interval: evaluationInterval },
    rule_files: ruleFiles,
    scrape_configs: targets.map((t) => ({
      job_name: t.job,
      metrics_path: t.path ?? '/metrics',
      ...(t.params ? { params: t.params } : {}),
      static_configs: [{ targets: [t.address] }],
    })),
  };
}
