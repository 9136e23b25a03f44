import { type Metric, Registry, type RegistryContentType } from 'prom-client';

type Rendered = { contentType: string; body: string };
type MetricData = { name: string; help: string; type: string; values: Sample[]; aggregator: string };
type Sample = { value: number; labels: Record<string, string | number>; metricName?: string; exemplar?: unknown };

/** Metric as prom-client keeps it internally: enough to read it for one scrape. */
interface Readable {
  name: string;
  type: string;
  upperBounds?: number[];
  get(): Promise<MetricData>;
  getForPromString?(): Promise<MetricData>;
}

const openMetrics = 'application/openmetrics-text';

/**
 * The format a scraper asked for: OpenMetrics (which carries exemplars) only when its Accept
 * header prefers it; the Prometheus text format otherwise, which every tool parses
 * (`promtool check metrics` and many agents reject OpenMetrics' exemplars). `accepts` is koa's
 * `ctx.accepts`, which weighs the q-values.
 */
export function wantsOpenMetrics(accepts: (...types: string[]) => string | false): boolean {
  // A range with parameters matches only an offer with the same ones: Prometheus asks for
  // `application/openmetrics-text;version=1.0.0;q=0.5,…,text/plain;version=0.0.4;q=0.3,*/*;q=0.2`.
  const chosen = accepts('text/plain', 'text/plain; version=0.0.4', ...openMetricsOffers);
  return typeof chosen === 'string' && chosen.startsWith(openMetrics);
}
const openMetricsOffers = [`${openMetrics}; version=1.0.0`, `${openMetrics}; version=0.0.1`, openMetrics];

/**
 * Renders a registry in the asked-for format without touching it: each scrape reads the same
 * metrics through a registry of its own, so two scrapes in different formats never see each
 * other's renaming (prom-client strips a counter's `_total` in place for OpenMetrics). A metric
 * with no series yet reads as one series at zero, so a panel or an alert over it sees 0, not
 * "no data", before the first event (a rule can be tested against zero).
 */
export async function renderMetrics<T extends RegistryContentType>(
  source: Registry<T>,
  defaultLabels: Record<string, string>,
  open: boolean,
): Promise<Rendered> {
  const contentType: RegistryContentType = open ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE;
  const view = new Registry<RegistryContentType>();
  view.setContentType(contentType);
  view.setDefaultLabels(defaultLabels);
  for (const metric of source.getMetricsAsArray()) view.registerMetric(scrapeView(metric as unknown as Readable) as unknown as Metric);
  return { contentType, body: await view.metrics() };
}

function scrapeView(metric: Readable): Readable {
  // A counter's family is `x` in OpenMetrics, `x_total` in the text format (prom-client renames it
  // on the view, which is rebuilt per scrape; the metric keeps its declared name).
  const name = metric.type === 'counter' && !metric.name.endsWith('_total') ? `${metric.name}_total` : metric.name;
  const view: Readable = {
    name,
    type: metric.type,
    get: async () => {
      const data = await (metric.getForPromString ?? metric.get).call(metric);
      return { ...data, name: view.name, values: data.values.length > 0 ? data.values : zeroSeries(metric, view.name) };
    },
  };
  return view;
}

function zeroSeries(metric: Readable, name: string): Sample[] {
  if (metric.type === 'counter' || metric.type === 'gauge') return [{ value: 0, labels: {} }];
  if (metric.type !== 'histogram' || !metric.upperBounds) return [];
  return [
    ...[...metric.upperBounds, '+Inf'].map((le) => ({ value: 0, labels: { le }, metricName: `${name}_bucket` })),
    { value: 0, labels: {}, metricName: `${name}_sum` },
    { value: 0, labels: {}, metricName: `${name}_count` },
  ];
}
