import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { helmTemplate } from '../../k8s/helm.ts';
import { chartRuleFiles, detailedFamilies, localPrometheusConfig, scrapeTargets } from '../prometheus.ts';

/**
 * npm start's Prometheus scrapes what the chart's monitors scrape, with their labels, so the
 * dashboards' queries and the alert rules work the same on the laptop (the observability e2e test
 * evaluates them over this shape of targets); here: the configuration is one Prometheus accepts,
 * with every rule file of the chart, and the broker's per-queue endpoint asks for what the
 * chart's PodMonitor asks for.
 */
const run = promisify(execFile);
const targets = scrapeTargets({
  services: [
    { name: 'order', port: 8080 },
    { name: 'audit', port: 8086 },
  ],
  brokerMetricsUrl: 'http://127.0.0.1:15692',
  vhost: 'orderly',
});

test('when the local configuration is written, then promtool accepts it with every chart rule file loaded', async (t) => {
  const rules = chartRuleFiles();
  t.true(rules.length > 0);
  t.false(
    rules.some((f) => f.includes('/tests/') || f.endsWith('.test.yaml')),
    'promtool unit tests are not rule files',
  );
  const dir = await mkdtemp(join(tmpdir(), 'orderly-local-prometheus-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'prometheus.yml');
  await writeFile(file, JSON.stringify(localPrometheusConfig(targets, rules)));
  const { stdout } = await run('promtool', ['check', 'config', file]);
  t.regex(stdout, new RegExp(`SUCCESS: ${rules.length} rule files found`));
  t.regex(stdout, /SUCCESS: .*prometheus\.yml is valid prometheus config file syntax/);
  for (const rule of rules) t.regex(stdout, new RegExp(`Checking ${rule}\\s+SUCCESS: [1-9]\\d* rules found`), rule);
});

test("when the services are scraped, then each is its own job (the ServiceMonitor's job = component), as the dashboards select", (t) => {
  const jobs = localPrometheusConfig(targets, []).scrape_configs.map((c) => [c.job_name, c.static_configs[0]!.targets[0], c.metrics_path]);
  t.deepEqual(jobs, [
    ['order', '127.0.0.1:8080', '/metrics'],
    ['audit', '127.0.0.1:8086', '/metrics'],
    ['rabbitmq', '127.0.0.1:15692', '/metrics'],
    ['rabbitmq-detailed', '127.0.0.1:15692', '/metrics/detailed'],
  ]);
});

test("when the broker's per-queue metrics are scraped, then for the stack's vhost with the chart PodMonitor's families", async (t) => {
  t.timeout(60_000);
  const manifests = await helmTemplate({ name: 'defaults', valuesFile: 'charts/orderly/ci/defaults-values.yaml' });
  const monitor = manifests.find((m) => m.kind === 'PodMonitor' && m.metadata.name.endsWith('-rabbitmq'));
  const endpoints = (monitor!.spec as { podMetricsEndpoints: { path: string; params?: Record<string, string[]> }[] }).podMetricsEndpoints;
  const detailed = endpoints.find((e) => e.path === '/metrics/detailed');
  t.deepEqual([...(detailed?.params?.family ?? [])].sort(), [...detailedFamilies].sort());
  const local = targets.find((x) => x.path === '/metrics/detailed');
  t.deepEqual(local?.params, { vhost: ['orderly'], family: detailedFamilies });
  t.deepEqual(
    endpoints.map((e) => e.path),
    targets.filter((x) => x.job.startsWith('rabbitmq')).map((x) => x.path ?? '/metrics'),
  );
});
