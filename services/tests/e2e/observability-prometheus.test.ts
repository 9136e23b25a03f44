import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@orderly/platform/testing';
import { customer, metricNamesIn, Prometheus, type ServiceName, Stack } from '@orderly/testkit';
import test from 'ava';

/**
 * The proof that the dashboards and alerts the chart ships work: a real Prometheus scrapes a real
 * stack (and the broker's own plugin, as the chart's PodMonitor does) while it handles a few hundred
 * orders; then every panel query and every rule is evaluated through Prometheus's HTTP API.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dashboardsDir = join(root, 'charts/orderly/files/dashboards');
const rulesFile = join(root, 'charts/orderly/files/alerts/orderly.yaml');

/** Metrics that a healthy run legitimately never exports (prom-client shows a labelled counter only once counted). */
// Every series a panel or a rule names exists at zero from the first scrape (telemetry/exposition.ts).
const neverInHealthyRun: Record<string, string> = {};

/**
 * The operations console's metrics: this stack runs the seven services, not the console, whose
 * own tests scrape these (services/console/test/recording.test.ts). Each must still be declared
 * in the console's metrics, or the exception would hide a typo in a rule.
 */
const consoleMetricsFile = join(root, 'services/console/src/metrics.ts');
const fromTheConsole = ['orderly_dead_letters'];

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template literal.
const datasourceVariable = '${datasource}';

/** What Grafana would put in for its variables; $service is set per service. */
const grafanaVariables: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '5m' };

interface Target {
  expr: string;
  refId: string;
  datasource?: { uid?: string };
  exemplar?: boolean;
}
interface Panel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid?: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: unknown; datasource?: { uid?: string } }[] };
}

const dashboards: { file: string; dashboard: Dashboard }[] = await Promise.all(
  (await readdir(dashboardsDir))
    .filter((f) => f.endsWith('.json'))
    .map(async (file) => ({ file, dashboard: JSON.parse(await readFile(join(dashboardsDir, file), 'utf8')) as Dashboard })),
);
const panelsOf = (d: Dashboard): Panel[] => d.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
const queriesOf = (d: Dashboard) => panelsOf(d).flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));

function substitute(expr: string, variables: Record<string, string>): string {
  const out = expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => variables[name] ?? whole);
  if (out.includes('$')) throw new Error(`unknown variable left in: ${out}`);
  return out;
}

let stack: Stack;
let prometheus: Prometheus;
let services: ServiceName[];
const placed = { confirmed: 0, rejected: 0 };

test.before(async (t) => {
  t.timeout(120_000); // 300 orders through the whole stack; generous for a busy machine
  stack = await (await Stack.create('observability')).start();
  services = [...stack.services.keys()];
  const broker = new URL(process.env.RABBITMQ_PROMETHEUS_URL ?? 'http://127.0.0.1:15692');
  prometheus = await Prometheus.start(
    [
      ...services.map((name) => ({ job: name, address: new URL(stack.url(name, '/')).host })),
      { job: 'rabbitmq', address: broker.host },
      // Per queue, for this stack's vhost only: the same endpoint and families as the chart's PodMonitor.
      {
        job: 'rabbitmq-detailed',
        address: broker.host,
        path: '/metrics/detailed',
        params: { vhost: [stack.env.vhost], family: ['queue_coarse_metrics', 'queue_consumer_count'] },
      },
    ],
    [rulesFile],
  );
  await prometheus.scrapedSince(new Date());
  await placeOrders(300);
  await prometheus.scrapedSince(new Date());
  // Decided orders as Prometheus sees them match what was sent: the scrapes have caught up.
  await waitForCounts();
});

test.after.always(async () => {
  await prometheus?.stop();
  await stack?.dispose();
});

/** A mix of outcomes: 60% confirmed, 20% out of stock, 20% card declined, plus some bad requests (400). */
async function placeOrders(total: number): Promise<void> {
  for (const sku of ['BOOK-ALICE', 'TSHIRT-BLK-M', 'LAPTOP-123']) {
    await stack.http('inventory', `/products/${sku}/stock`, { method: 'PUT', json: { available: 100_000 } });
  }
  const body = (i: number) => {
    if (i % 5 === 3) return { ...customer(i), items: [{ sku: 'TSHIRT-GRY-S', qty: 999 }], paymentMethod: 'pm_card_visa' };
    if (i % 5 === 4) return { ...customer(i), items: [{ sku: 'LAPTOP-123', qty: 1 }], paymentMethod: 'pm_card_declined' };
    return { ...customer(i), items: [{ sku: i % 2 ? 'BOOK-ALICE' : 'TSHIRT-BLK-M', qty: 1 }], paymentMethod: 'pm_card_visa' };
  };
  const batch = 25;
  for (let start = 0; start < total; start += batch) {
    const indexes = Array.from({ length: Math.min(batch, total - start) }, (_, j) => start + j);
    await Promise.all(
      indexes.map(async (i) => {
        const res = await stack.placeOrder(body(i));
        if (res.status !== 202) throw new Error(`order ${i}: ${res.status} ${JSON.stringify(res.body)}`);
        const order = await stack.orderReaches(res.body.orderId, ['CONFIRMED', 'REJECTED', 'SHIPPED', 'DELIVERED'], 30_000);
        placed[order.status === 'REJECTED' ? 'rejected' : 'confirmed'] += 1;
      }),
    );
    await stack.placeOrder({ customerId: 'C0', items: [] });
  }
}

async function waitForCounts(): Promise<void> {
  await waitFor(
    async () => {
      const seen = await decidedInPrometheus();
      if (seen.confirmed !== placed.confirmed || seen.rejected !== placed.rejected) {
        throw new Error(`Prometheus counts ${JSON.stringify(seen)}, the stack decided ${JSON.stringify(placed)}`);
      }
      return true;
    },
    { timeoutMs: 15_000, intervalMs: 250, what: 'Prometheus to count every decided order' },
  );
}

async function decidedInPrometheus(): Promise<Record<string, number>> {
  const { result } = await prometheus.query('sum by (outcome) (orderly_order_completion_seconds_count)');
  return Object.fromEntries(result.map((r) => [r.metric.outcome ?? '', Number(r.value?.[1])]));
}

test('when the dashboards are read, then each has a uid, schemaVersion ≥ 39 and every panel queries through the $datasource variable', (t) => {
  t.true(dashboards.length >= 3, `dashboards found: ${dashboards.map((d) => d.file).join(', ')}`);
  for (const { file, dashboard } of dashboards) {
    t.truthy(dashboard.uid, `${file}: uid`);
    t.true(dashboard.schemaVersion >= 39, `${file}: schemaVersion ${dashboard.schemaVersion}`);
    t.true(
      dashboard.templating.list.some((v) => v.name === 'datasource' && v.type === 'datasource' && v.query === 'prometheus'),
      `${file}: datasource variable`,
    );
    for (const { panel, target } of queriesOf(dashboard)) {
      const where = `${file} / ${panel.title} / ${target.refId}`;
      t.is(panel.datasource?.uid, datasourceVariable, `${where}: panel datasource`);
      t.is(target.datasource?.uid, datasourceVariable, `${where}: target datasource`);
      if (target.expr.includes('histogram_quantile')) t.true(target.exemplar, `${where}: exemplars on a latency query`);
    }
  }
});

test('when the stack has handled a few hundred orders, then Prometheus counts the decided orders exactly', async (t) => {
  t.true(placed.confirmed >= 150 && placed.rejected >= 100, JSON.stringify(placed));
  t.deepEqual(await decidedInPrometheus(), { ...placed });
});

test('when every panel query of every dashboard is evaluated, then each parses and returns data', async (t) => {
  const failures: string[] = [];
  let evaluated = 0;
  for (const { file, dashboard } of dashboards) {
    // A dashboard with a $service variable is evaluated once per running service.
    const perService = dashboard.templating.list.some((v) => v.name === 'service');
    for (const service of perService ? services : ['-']) {
      for (const { panel, target } of queriesOf(dashboard)) {
        const expr = substitute(target.expr, { ...grafanaVariables, service });
        const where = `${file} / ${panel.title} / ${target.refId}${perService ? ` (service=${service})` : ''}`;
        evaluated += 1;
        try {
          const { result } = await prometheus.query(expr);
          if (result.length === 0) failures.push(`${where}: no data for ${expr}`);
        } catch (err) {
          failures.push(`${where}: ${(err as Error).message}`);
        }
      }
    }
  }
  t.true(evaluated > 50, `only ${evaluated} queries found`);
  t.deepEqual(failures, []);
});

test('when every dashboard query and rule is read, then every metric it names has been scraped', async (t) => {
  const known = new Set(await prometheus.metricNames());
  const rules = await prometheus.rules();
  const exprs = [
    ...dashboards.flatMap(({ file, dashboard }) =>
      queriesOf(dashboard).map(({ panel, target }) => ({ where: `${file} / ${panel.title}`, expr: target.expr })),
    ),
    ...rules.map((r) => ({ where: `rule ${r.name}`, expr: r.query })),
  ];
  const missing = exprs.flatMap(({ where, expr }) =>
    metricNamesIn(expr)
      .filter((name) => !known.has(name) && !(name in neverInHealthyRun) && !fromTheConsole.includes(name))
      .map((name) => `${where}: ${name}`),
  );
  t.deepEqual(missing, []);
  // The exceptions must still be names the services declare, or they would hide a typo.
  const scraped = await fetch(stack.url('order', '/metrics')).then((r) => r.text());
  for (const name of Object.keys(neverInHealthyRun)) {
    // prom-client names a counter's family without _total.
    t.regex(scraped, new RegExp(`^# TYPE ${name.replace(/_total$/, '')}(_total)? `, 'm'), name);
  }
  const consoleDeclares = await readFile(consoleMetricsFile, 'utf8');
  for (const name of fromTheConsole) t.true(consoleDeclares.includes(`name: '${name}'`), `${name} is declared by the console`);
});

test('when the service variable is resolved, then it lists every running service', async (t) => {
  const variable = dashboards.flatMap(({ dashboard }) => dashboard.templating.list).find((v) => v.name === 'service');
  const query = (variable?.query as { query?: string } | undefined)?.query ?? '';
  const match = /^label_values\((.+),\s*(\w+)\)$/.exec(query);
  if (!match) return t.fail(`service variable query is not label_values(metric, label): ${query}`);
  const [, selector, label] = match as unknown as [string, string, string];
  const { result } = await prometheus.query(`count by (${label}) (${selector})`);
  t.deepEqual(result.map((r) => r.metric[label]).sort(), [...services].sort());
});

test('when the alert rules are loaded into Prometheus, then every rule evaluates without error and every alert expression parses', async (t) => {
  const rulesText = await readFile(rulesFile, 'utf8');
  const declared = [...rulesText.matchAll(/^\s*- (alert|record): (\S+)/gm)].map((m) => m[2]);
  const since = Date.now();
  const rules = await waitFor(
    async () => {
      const all = await prometheus.rules();
      return all.every((r) => Date.parse(r.lastEvaluation) > since) ? all : undefined;
    },
    { timeoutMs: 10_000, what: 'every rule to be evaluated again' },
  );
  t.deepEqual(rules.map((r) => r.name).sort(), [...declared].sort());
  for (const rule of rules) {
    t.is(rule.health, 'ok', `${rule.name}: ${rule.lastError ?? ''}`);
    await t.notThrowsAsync(prometheus.query(rule.query), rule.name);
  }
  // The SLO's recording rules have inputs in a real run, so their series exist.
  for (const rule of rules.filter((r) => r.type === 'recording')) {
    t.not((await prometheus.query(rule.name)).result.length, 0, `${rule.name} records a series`);
  }
});
