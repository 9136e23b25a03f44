import { readFileSync } from 'node:fs';
import test from 'ava';
import YAML from 'yaml';
import { isHook } from '../admission/helm-order.js';
import { installProblems, upgradeProblems } from '../admission/index.js';
import { bytes } from '../admission/quantity.js';
import { diskFreeLimitBytes, memoryAlarmBytes } from '../admission/rabbitmq-cluster.js';
import { secretLabel } from '../admission/topology-operator.js';
import { type Container, serviceRunBy } from '../contracts/workloads.js';
import { helmTemplate, helmTemplateWith } from '../helm.js';
import type { Manifest } from '../manifest.js';
import { profiles } from '../profiles.js';

/**
 * Second contact on a real cluster: one test per defect of the chart that the
 * operators' webhooks and controllers (not their CRD schemas) or Helm's order of operations would
 * have shown. The rules themselves are in scripts/k8s/admission, each with its upstream source;
 * admission.test.ts shows each rule firing, upgrade.test.ts the upgrade paths.
 */
const profile = (name: string) => profiles().find((p) => p.name === name)!;
const cache = new Map<string, Promise<Manifest[]>>();
const render = (name: string) => {
  if (!cache.has(name)) cache.set(name, helmTemplate(profile(name)));
  return cache.get(name)!;
};
const kinds = (ms: Manifest[], kind: string) => ms.filter((m) => m.kind === kind);
type Env = { name: string; value?: string }[];
const containersOf = (m: Manifest) =>
  (m.spec as { template: { spec: { containers: (Container & { env: Env })[] } } }).template.spec.containers;

test("1: every Secret a User imports carries the Topology Operator's label, so its webhook admits the User", async (t) => {
  for (const p of profiles()) {
    const ms = await render(p.name);
    const users = kinds(ms, 'User');
    t.true(users.length > 0);
    for (const u of users) {
      const name = (u.spec as { importCredentialsSecret: { name: string } }).importCredentialsSecret.name;
      const secret = kinds(ms, 'Secret').find((s) => s.metadata.name === name);
      t.is(secret?.metadata.labels?.[secretLabel[0]], secretLabel[1], `${p.name}: ${u.metadata.name} imports ${name}`);
    }
    t.deepEqual(
      installProblems(ms).filter((x) => x.includes('must have label')),
      [],
      p.name,
    );
  }
});

// 1, the other half (the passwords survive an upgrade): passwords-on-upgrade.test.ts runs helm's lookup for real.

test('6: enabling a component on upgrade needs nothing that the upgrade creates after it', async (t) => {
  const defaults = profile('defaults');
  const next = await render('defaults');
  for (const component of ['console', 'audit']) {
    const previous = await helmTemplateWith(defaults, { values: [{ components: { [component]: { enabled: false } } }] });
    t.deepEqual(upgradeProblems(previous, next), [], `enable ${component}`);
  }
  t.false(next.some(isHook), 'no object of the release is a Helm hook');
});

test('11: helm uninstall keeps the broker and the database (and so their volumes) unless told otherwise, and the docs say how to remove them', async (t) => {
  for (const p of profiles()) {
    const ms = await render(p.name);
    for (const kind of ['RabbitmqCluster', 'Cluster'])
      t.is(kinds(ms, kind)[0]!.metadata.annotations?.['helm.sh/resource-policy'], 'keep', `${p.name}: ${kind}`);
    for (const kind of ['Vhost', 'Queue'])
      for (const m of kinds(ms, kind))
        t.is((m.spec as { deletionPolicy?: string }).deletionPolicy, 'retain', `${p.name}: ${m.metadata.name}`);
  }
  const off = await helmTemplateWith(profile('kind'), { values: [{ keepDataOnUninstall: false }] });
  t.is(kinds(off, 'RabbitmqCluster')[0]!.metadata.annotations?.['helm.sh/resource-policy'], undefined);
  const docs = readFileSync('docs/kubernetes.md', 'utf8');
  t.regex(docs, /keepDataOnUninstall/);
  t.regex(docs, /kubectl -n orderly delete rabbitmqcluster\/orderly-rabbitmq cluster\.postgresql\.cnpg\.io\/orderly-db/);
});

test('12: the services export only traces over OTLP, the one signal the collector has a pipeline for', async (t) => {
  const collector = YAML.parse(readFileSync('k8s/otel-collector.values.yaml', 'utf8')).config.service.pipelines as Record<string, unknown>;
  const piped = new Set(
    Object.entries(collector)
      .filter(([, v]) => v)
      .map(([k]) => k),
  );
  const variable = { traces: 'OTEL_TRACES_EXPORTER', metrics: 'OTEL_METRICS_EXPORTER', logs: 'OTEL_LOGS_EXPORTER' };
  for (const p of profiles()) {
    for (const w of [...kinds(await render(p.name), 'Deployment'), ...kinds(await render(p.name), 'Job')]) {
      const env = containersOf(w)[0]!.env ?? [];
      if (!env.some((e) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT')) continue;
      for (const [signal, name] of Object.entries(variable)) {
        // The SDK's default exporter for every signal is otlp.
        const exporter = env.find((e) => e.name === name)?.value ?? 'otlp';
        if (exporter !== 'none')
          t.true(piped.has(signal), `${p.name}: ${w.metadata.name} sends ${signal} over OTLP, the collector has no ${signal} pipeline`);
      }
    }
  }
});

/** The target labels prometheus-operator gives a pod endpoint, after the endpoint's own relabelings. */
function targetLabels(
  monitor: Manifest,
  endpoint: {
    port: string;
    path?: string;
    relabelings?: { sourceLabels?: string[]; targetLabel?: string; replacement?: string; action?: string }[];
  },
) {
  const labels: Record<string, string> = {
    job: `orderly/${monitor.metadata.name}`,
    namespace: 'orderly',
    pod: 'orderly-rabbitmq-server-0',
    container: 'rabbitmq',
    endpoint: endpoint.port,
    instance: '10.0.0.1:15692',
    __metrics_path__: endpoint.path ?? '/metrics',
  };
  for (const r of endpoint.relabelings ?? []) {
    if ((r.action ?? 'replace') !== 'replace' || !r.targetLabel) continue;
    const source = (r.sourceLabels ?? []).map((l) => labels[l] ?? '').join(';');
    labels[r.targetLabel] = (r.replacement ?? '$1').replace('$1', source);
  }
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith('__')));
}

test("13: the broker PodMonitor's two endpoints scrape targets with different labels", async (t) => {
  const monitor = kinds(await render('defaults'), 'PodMonitor').find((m) => m.metadata.name === 'orderly-rabbitmq')!;
  const endpoints = (monitor.spec as { podMetricsEndpoints: Parameters<typeof targetLabels>[1][] }).podMetricsEndpoints;
  t.is(endpoints.length, 2);
  const sets = endpoints.map((e) => JSON.stringify(targetLabels(monitor, e)));
  t.not(sets[0], sets[1]);
});

test("14: the connection budget counts audit's CSV export pool: one connection short of it fails the render", async (t) => {
  const kind = profile('kind');
  const ms = await render('kind');
  // What the services open at their most: (maxReplicas + 1) × (DB_POOL_SIZE, + EXPORT_MAX_CONCURRENT for audit), + 1 per migration Job, + 10.
  let need = 10;
  for (const d of kinds(ms, 'Deployment')) {
    const container = containersOf(d)[0]!;
    const env = container.env;
    const pool = env.find((e) => e.name === 'DB_POOL_SIZE')?.value;
    if (!pool) continue;
    const so = kinds(ms, 'ScaledObject').find(
      (s) => (s.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === d.metadata.name,
    );
    const pods = ((so?.spec as { maxReplicaCount?: number } | undefined)?.maxReplicaCount ?? (d.spec as { replicas: number }).replicas) + 1;
    // services/audit/src/service.ts opens EXPORT_MAX_CONCURRENT (default 2) more for CSV exports.
    const exportPool = serviceRunBy(container) === 'audit' ? Number(env.find((e) => e.name === 'EXPORT_MAX_CONCURRENT')?.value ?? 2) : 0;
    need += pods * (Number(pool) + exportPool) + 1;
  }
  await t.notThrowsAsync(helmTemplateWith(kind, { values: [{ postgres: { maxConnections: need } }] }));
  const err = await t.throwsAsync(helmTemplateWith(kind, { values: [{ postgres: { maxConnections: need - 1 } }] }));
  t.regex(String(err?.message), new RegExp(`below what the services may open at their most replicas: ${need} \\(audit `));
});

test("15: an upgrade waits on no migration hook, and changing one service's image re-runs only that service's migration", async (t) => {
  const kind = profile('kind');
  const tagged = (tag: string) => helmTemplateWith(kind, { values: [{ components: { order: { image: { tag } } } }] });
  const [a, b] = await Promise.all([tagged('a'), tagged('b')]);
  t.deepEqual(
    a.filter(isHook).map((m) => m.metadata.name),
    [],
  );
  const jobs = (ms: Manifest[]) => new Set(kinds(ms, 'Job').map((m) => m.metadata.name));
  const [ja, jb] = [jobs(a), jobs(b)];
  t.deepEqual(
    [...jb].filter((n) => !ja.has(n)).map((n) => n.replace(/-[0-9a-f]{8}$/, '')),
    ['orderly-order-migrate'],
  );
  t.deepEqual(upgradeProblems(a, b), []);
});

test('16: the kind broker volume leaves room above the disk alarm, and its memory alarm is computed as RabbitMQ 4 does (0.6)', async (t) => {
  for (const p of profiles()) {
    const spec = kinds(await render(p.name), 'RabbitmqCluster')[0]!.spec as { persistence: { storage: string } };
    t.true(bytes(spec.persistence.storage) >= diskFreeLimitBytes(spec) + 1024 ** 3, `${p.name}: ${spec.persistence.storage}`);
  }
  // 1 Gi limit → the operator's 0.8 GiB total → alarm at 0.6 of it.
  t.is(Math.round(memoryAlarmBytes({ resources: { limits: { memory: '1Gi' } } }) / 1024 ** 2), 492);
  t.notRegex(readFileSync('charts/orderly/ci/kind-values.yaml', 'utf8'), /at 0\.4/);
  t.notRegex(readFileSync('docs/kubernetes.md', 'utf8'), /alarm at 0\.4/);
});
