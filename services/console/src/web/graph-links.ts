/** A link to a Prometheus graph of one query, the queries the chart's dashboards and alerts use. */
export interface GraphLink {
  title: string;
  url: string;
}

export const graphQueries: { title: string; expr: string }[] = [
  { title: 'Messages parked per queue (rate)', expr: 'sum by (queue) (rate(orderly_messages_consumed_total{outcome="dead_letter"}[5m]))' },
  { title: 'Dead-letter queue depth', expr: 'max by (queue) (rabbitmq_detailed_queue_messages_ready{queue=~".+\\\\.dlq"})' },
  {
    title: 'Orders not decided (decided / placed, 15 min)',
    expr: '(sum(increase(orderly_order_completion_seconds_count[15m])) or vector(0)) / sum(increase(orderly_orders_total{status="PENDING"}[15m]))',
  },
  { title: 'Orders entering each status (rate)', expr: 'sum by (status) (rate(orderly_orders_total[5m]))' },
  {
    title: 'Retries and parks per queue (ratio)',
    expr: 'sum by (queue) (rate(orderly_messages_consumed_total{outcome=~"retry|dead_letter"}[5m])) / sum by (queue) (rate(orderly_messages_consumed_total[5m]))',
  },
];

/** PROMETHEUS_URL's /graph page for each query (none when Prometheus is not configured). */
export function graphLinks(prometheusUrl: string | undefined): GraphLink[] {
  if (!prometheusUrl) return [];
  const base = prometheusUrl.replace(/\/$/, '');
  return graphQueries.map(({ title, expr }) => ({
    title,
    url: `${base}/graph?${new URLSearchParams({ 'g0.expr': expr, 'g0.tab': '0', 'g0.range_input': '1h' })}`,
  }));
}
