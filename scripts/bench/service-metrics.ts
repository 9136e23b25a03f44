/**
 * Scrapes every service's /metrics at the edges of a measured window and turns the difference into
 * per-hop latency (orderly_hop_latency_seconds: event created → handled, by {from, to}), outbox
 * publish lag per service, handler duration per queue, and message counts.
 */
import { baseUrl, services } from '../local/services.ts';
import {
  bucketQuantile,
  counters,
  diffHistogram,
  type Histogram,
  histograms,
  mergeHistograms,
  parseSamples,
  type Sample,
} from './prom-text.ts';

export type Scrape = Map<string, Sample[]>;

export async function scrapeAll(): Promise<Scrape> {
  const out: Scrape = new Map();
  await Promise.all(
    services.map(async ({ name }) => {
      try {
        const res = await fetch(`${baseUrl(name)}/metrics`);
        out.set(name, parseSamples(await res.text()));
      } catch {
        out.set(name, []);
      }
    }),
  );
  return out;
}

export interface HistogramStat {
  count: number;
  /** ms, exact (from _sum / _count). */
  meanMs: number;
  /** ms, interpolated within buckets (0.001 … 30 s bounds). */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

const stat = (h: Histogram): HistogramStat => ({
  count: h.count,
  meanMs: h.count > 0 ? (h.sum / h.count) * 1000 : Number.NaN,
  p50Ms: bucketQuantile(h, 0.5) * 1000,
  p95Ms: bucketQuantile(h, 0.95) * 1000,
  p99Ms: bucketQuantile(h, 0.99) * 1000,
});

/** Histogram family delta between scrapes, merged across services, keyed by labels (`service` added when `byService`). */
function familyDelta(a: Scrape, b: Scrape, family: string, byService: boolean): Record<string, HistogramStat> {
  const merged = new Map<string, Histogram[]>();
  for (const [service, samples] of b) {
    const before = histograms(a.get(service) ?? [], family);
    for (const [key, h] of histograms(samples, family)) {
      // The registry labels every series with its service; keep it only where it is the key.
      const rest = key
        .split(',')
        .filter((kv) => kv && !kv.startsWith('service='))
        .join(',');
      const k = byService ? [`service=${service}`, rest].filter(Boolean).join(',') : rest;
      const d = diffHistogram(h, before.get(key));
      merged.set(k, [...(merged.get(k) ?? []), d]);
    }
  }
  const out: Record<string, HistogramStat> = {};
  for (const [k, hs] of [...merged].sort()) {
    const h = mergeHistograms(hs);
    if (h.count > 0) out[k] = stat(h);
  }
  return out;
}

function counterDelta(a: Scrape, b: Scrape, name: string, by: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [service, samples] of b) {
    const before = counters(a.get(service) ?? [], name, by);
    for (const [k, v] of counters(samples, name, by)) {
      const d = v - (before.get(k) ?? 0);
      if (d !== 0) out[k] = (out[k] ?? 0) + d;
    }
  }
  return out;
}

export interface ServiceMetricsDelta {
  /** from=…,to=… → latency from the event's time to its handler's commit. */
  hops: Record<string, HistogramStat>;
  outboxLag: Record<string, HistogramStat>;
  handleDuration: Record<string, HistogramStat>;
  /** queue=…,outcome=… → messages consumed. */
  consumed: Record<string, number>;
  /** type=… → messages published by the services' relays. */
  published: Record<string, number>;
}

export function metricsBetween(a: Scrape, b: Scrape): ServiceMetricsDelta {
  return {
    hops: familyDelta(a, b, 'orderly_hop_latency_seconds', false),
    outboxLag: familyDelta(a, b, 'orderly_outbox_publish_lag_seconds', true),
    handleDuration: familyDelta(a, b, 'orderly_message_handle_duration_seconds', false),
    consumed: counterDelta(a, b, 'orderly_messages_consumed_total', ['queue', 'outcome']),
    published: counterDelta(a, b, 'orderly_messages_published_total', ['type']),
  };
}
