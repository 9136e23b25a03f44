import { metricNamesIn } from '@orderly/testkit';
import test from 'ava';

test('the metric names of a query are its selectors, not its functions, keywords, labels or strings', (t) => {
  const expr =
    'histogram_quantile(0.99, sum by (le, service) (rate(orderly_http_request_duration_seconds_bucket{service=~"$service", route="up"}[5m])))' +
    ' / ignoring(code) group_left(instance) orderly:ratio offset 5m > bool 0 unless on(job) up';
  t.deepEqual(metricNamesIn(expr).sort(), ['orderly:ratio', 'orderly_http_request_duration_seconds_bucket', 'up']);
});

test('Grafana variables in a range are not taken for metric names', (t) => {
  t.deepEqual(metricNamesIn('sum(increase(orderly_orders_total[$__rate_interval]))'), ['orderly_orders_total']);
});
