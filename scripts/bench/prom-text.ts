/**
 * Parsing the services' /metrics (Prometheus or OpenMetrics text, exemplars included) into
 * counters and histograms, differencing two scrapes, and estimating quantiles from buckets.
 *
 * Kept by hand: the one npm parser (parse-prometheus-text-format, unchanged since 2020) loses the
 * labels, _sum and _count of prom-client's histograms (`le` comes first there) and knows no
 * OpenMetrics; a real Prometheus's increase()/histogram_quantile() would extrapolate over scrape
 * intervals instead of differencing scrapes taken exactly at a step's edges.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Histogram {
  /** Cumulative counts per upper bound, ascending, +Inf last. */
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

const line = /^([a-zA-Z_:][\w:]*)(?:\{(.*?)\})?\s+(\S+)/;
const label = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g;

export function parseSamples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '' || raw.startsWith('#')) continue;
    const m = line.exec(raw);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(label)) labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, '$1');
    const value = m[3] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[3]);
    out.push({ name: m[1] as string, labels, value });
  }
  return out;
}

/** A stable key for a label set, `le` excluded: `from=order,to=inventory`. */
export function labelKey(labels: Record<string, string>, without: readonly string[] = ['le']): string {
  return Object.keys(labels)
    .filter((k) => !without.includes(k))
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/** Every series of histogram `family`, by label key. */
export function histograms(samples: readonly Sample[], family: string): Map<string, Histogram> {
  const out = new Map<string, Histogram>();
  const get = (key: string) => {
    let h = out.get(key);
    if (!h) {
      h = { buckets: [], sum: 0, count: 0 };
      out.set(key, h);
    }
    return h;
  };
  for (const s of samples) {
    if (s.name === `${family}_bucket`) {
      const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
      get(labelKey(s.labels)).buckets.push({ le, count: s.value });
    } else if (s.name === `${family}_sum`) get(labelKey(s.labels)).sum = s.value;
    else if (s.name === `${family}_count`) get(labelKey(s.labels)).count = s.value;
  }
  for (const h of out.values()) h.buckets.sort((a, b) => a.le - b.le);
  return out;
}

/** Sum of counter `name` per label key (keeping only `by` labels). */
export function counters(samples: readonly Sample[], name: string, by: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = by.map((k) => `${k}=${s.labels[k] ?? ''}`).join(',');
    out.set(key, (out.get(key) ?? 0) + s.value);
  }
  return out;
}

/** after − before, bucket by bucket (a series absent before counts from zero). */
export function diffHistogram(after: Histogram, before: Histogram | undefined): Histogram {
  const prior = new Map(before?.buckets.map((b) => [b.le, b.count]) ?? []);
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (prior.get(b.le) ?? 0) })),
    sum: after.sum - (before?.sum ?? 0),
    count: after.count - (before?.count ?? 0),
  };
}

/** Adds histograms with the same buckets (e.g. one series from several processes). */
export function mergeHistograms(hs: readonly Histogram[]): Histogram {
  const byLe = new Map<number, number>();
  let sum = 0;
  let count = 0;
  for (const h of hs) {
    for (const b of h.buckets) byLe.set(b.le, (byLe.get(b.le) ?? 0) + b.count);
    sum += h.sum;
    count += h.count;
  }
  return { buckets: [...byLe].sort((a, b) => a[0] - b[0]).map(([le, c]) => ({ le, count: c })), sum, count };
}

/**
 * Quantile estimated from cumulative buckets by linear interpolation inside the bucket that holds
 * it (what PromQL's histogram_quantile does): only as precise as the bucket bounds. A quantile in
 * the +Inf bucket returns the highest finite bound. NaN for an empty histogram.
 */
export function bucketQuantile(h: Histogram, q: number): number {
  const total = h.buckets.at(-1)?.count ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket > 0 ? prevLe + ((b.le - prevLe) * (rank - prevCount)) / inBucket : b.le;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}
