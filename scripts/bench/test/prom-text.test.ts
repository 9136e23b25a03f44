import test from 'ava';
import { bucketQuantile, counters, diffHistogram, histograms, labelKey, parseSamples } from '../prom-text.ts';

const scrape = (n: number) => `# HELP orderly_hop_latency_seconds x
# TYPE orderly_hop_latency_seconds histogram
orderly_hop_latency_seconds_bucket{le="0.005",from="order",to="inventory",service="inventory"} ${n} # {trace_id="abc"} 0.004 1700000000.1
orderly_hop_latency_seconds_bucket{le="0.01",from="order",to="inventory",service="inventory"} ${2 * n}
orderly_hop_latency_seconds_bucket{le="+Inf",from="order",to="inventory",service="inventory"} ${2 * n}
orderly_hop_latency_seconds_sum{from="order",to="inventory",service="inventory"} ${n * 0.012}
orderly_hop_latency_seconds_count{from="order",to="inventory",service="inventory"} ${2 * n}
orderly_messages_consumed_total{queue="order",type="inventory.reserved",outcome="ack",service="order"} ${n}
orderly_messages_consumed_total{queue="order",type="payment.completed",outcome="ack",service="order"} ${n}
# EOF
`;

test('when OpenMetrics text carries exemplars, then samples parse with their labels and values', (t) => {
  const s = parseSamples(scrape(10));
  t.is(s.length, 7);
  t.deepEqual(s[0]?.labels, { le: '0.005', from: 'order', to: 'inventory', service: 'inventory' });
  t.is(s[0]?.value, 10);
  t.is(s[2]?.value, 20);
  t.is(labelKey(s[0]?.labels ?? {}), 'from=order,service=inventory,to=inventory');
});

test('when two scrapes are differenced, then the window histogram and its quantiles come out', (t) => {
  const before = histograms(parseSamples(scrape(10)), 'orderly_hop_latency_seconds');
  const after = histograms(parseSamples(scrape(60)), 'orderly_hop_latency_seconds');
  const key = 'from=order,service=inventory,to=inventory';
  const d = diffHistogram(after.get(key) as never, before.get(key));
  t.is(d.count, 100);
  t.deepEqual(
    d.buckets.map((b) => b.count),
    [50, 100, 100],
  );
  t.is(bucketQuantile(d, 0.5), 0.005);
  t.is(bucketQuantile(d, 0.75), 0.0075); // halfway through the (5 ms, 10 ms] bucket
  t.true(Number.isNaN(bucketQuantile(diffHistogram(d, d), 0.5)));
});

test('counters sum over the labels not kept', (t) => {
  const c = counters(parseSamples(scrape(7)), 'orderly_messages_consumed_total', ['outcome']);
  t.is(c.get('outcome=ack'), 14);
});
