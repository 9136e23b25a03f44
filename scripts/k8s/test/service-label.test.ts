import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics } from '@orderly/platform';
import { freePort } from '@orderly/testkit';
import test from 'ava';
import YAML from 'yaml';
import { helmTemplate } from '../helm.js';

/**
 * Proven with a real Prometheus (the one setup.sh --for-tests installs): a
 * service's metrics scraped the way prometheus-operator scrapes the chart's ServiceMonitor — the
 * target labelled `service` with the Kubernetes Service's name, honor_labels from the rendered
 * endpoint — keep their own `service` label ("order"), so the dashboards' and alerts' queries
 * (`{service="order"}`) work on the cluster as they do locally. The same target scraped without
 * honor_labels shows the defect: service="orderly-order", and "order" moved to exported_service.
 */

test("the chart's ServiceMonitor keeps the metrics' own service label on a real Prometheus", async (t) => {
  t.timeout(60_000);
  const manifests = await helmTemplate({ name: 'defaults', valuesFile: 'charts/orderly/ci/defaults-values.yaml' });
  const monitor = manifests.find((m) => m.kind === 'ServiceMonitor' && m.metadata.name === 'orderly-services')!;
  const endpoint = (monitor.spec as { endpoints: { honorLabels?: boolean; path: string }[] }).endpoints[0]!;

  const metrics = createMetrics('order');
  const app = createHttpServer(async (_req, res) => {
    res.setHeader('content-type', metrics.registry.contentType);
    res.end(await metrics.registry.metrics());
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  const target = `127.0.0.1:${(app.address() as { port: number }).port}`;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'service-label-'));
  // What prometheus-operator generates for the endpoint, reduced to its labels: the Service's name
  // as target label `service`, the component as job (the monitor's relabeling), honorLabels as is.
  const job = (name: string, honor: boolean) => ({
    job_name: name,
    honor_labels: honor,
    metrics_path: endpoint.path,
    scrape_interval: '1s',
    static_configs: [{ targets: [target], labels: { service: 'orderly-order', namespace: 'orderly' } }],
  });
  writeFileSync(
    join(dir, 'prometheus.yml'),
    YAML.stringify({ scrape_configs: [job('chart', endpoint.honorLabels === true), job('without-honor-labels', false)] }),
  );
  const prometheus = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: 'ignore' },
  );
  try {
    const query = async (q: string) => {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`).catch(() => undefined);
      if (!r?.ok) return [];
      return ((await r.json()) as { data: { result: { metric: Record<string, string> }[] } }).data.result.map((x) => x.metric);
    };
    const selector = 'count by (job, service, exported_service) (process_cpu_user_seconds_total)';
    let series: Record<string, string>[] = [];
    for (let i = 0; i < 100 && series.length < 2; i++) {
      series = await query(selector);
      if (series.length < 2) await new Promise((r) => setTimeout(r, 250));
    }
    const byJob = Object.fromEntries(series.map((m) => [m.job, m]));
    t.deepEqual(byJob.chart, { job: 'chart', service: 'order' }, 'as the chart scrapes: the dashboards select service="order"');
    t.deepEqual(byJob['without-honor-labels'], { job: 'without-honor-labels', service: 'orderly-order', exported_service: 'order' });
  } finally {
    prometheus.kill('SIGTERM');
    await new Promise((r) => prometheus.once('exit', r));
    app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
