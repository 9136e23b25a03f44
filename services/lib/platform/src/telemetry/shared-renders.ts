type Rendered = { contentType: string; body: string };

/**
 * At most one render per format at a time, and its answer kept for `maxAgeMs` after it ends: a
 * scrape during a render waits for it, one soon after gets its result. /metrics is open, and each render reads every metric (the event-loop
 * histogram, the pool, a query for the outbox): rendered per request, an anonymous flood took the
 * API beside it down to a tenth of its rate. Prometheus scrapes every 15 s or more, so
 * a second-old answer loses it nothing. A failed render is not kept: the next scrape tries again.
 * (lru-cache's fetchMethod would do the same for two keys, at the cost of a new dependency.)
 */
export function sharedRenders(render: (openMetrics: boolean) => Promise<Rendered>, maxAgeMs: number, now = () => performance.now()) {
  // Per format: the render in flight, or the last one and when it ended.
  const last = new Map<boolean, { answer: Promise<Rendered>; endedAt?: number }>();
  return (openMetrics: boolean): Promise<Rendered> => {
    const kept = last.get(openMetrics);
    if (kept && (kept.endedAt === undefined || now() - kept.endedAt < maxAgeMs)) return kept.answer;
    const entry: { answer: Promise<Rendered>; endedAt?: number } = { answer: render(openMetrics) };
    last.set(openMetrics, entry);
    entry.answer.then(
      () => {
        entry.endedAt = now();
      },
      () => {
        if (last.get(openMetrics) === entry) last.delete(openMetrics);
      },
    );
    return entry.answer;
  };
}
