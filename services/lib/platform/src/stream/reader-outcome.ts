import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { type Metrics, observeLatency } from '../metrics.js';
import { outcomeErrorType } from '../telemetry/messaging-spans.js';
import type { StreamItem } from './reader-options.js';
import { typeLabel } from './reader-span.js';

export type StreamOutcome = 'ack' | 'duplicate' | 'retry' | 'dead_letter';

/**
 * Counts the items' outcome, records the batch's handling time (since startedAt) and each
 * acknowledged event's hop latency, and ends their spans. Returns the lag of the last event
 * acknowledged (seconds), if any was.
 */
export function recordOutcome(
  metrics: Metrics,
  reader: string,
  items: StreamItem[],
  outcome: StreamOutcome,
  startedAt: number,
): number | undefined {
  const seconds = (performance.now() - startedAt) / 1000;
  let lag: number | undefined;
  for (const { event, span } of items) {
    const type = typeLabel(event?.type);
    metrics.consumed.inc({ queue: reader, type, outcome });
    if (span)
      context.with(trace.setSpan(context.active(), span), () => observeLatency(metrics.handleDuration, { queue: reader, type }, seconds));
    if (event && outcome === 'ack') {
      lag = Math.max(0, (Date.now() - Date.parse(event.time)) / 1000);
      observeLatency(metrics.hopLatency, { from: event.source.replace('orderly/', ''), to: reader }, lag);
    }
    span?.setAttribute('orderly.outcome', outcome);
    const errorType = outcomeErrorType(outcome);
    if (errorType) {
      span?.setAttribute('error.type', errorType);
      span?.setStatus({ code: SpanStatusCode.ERROR });
    }
    span?.end();
  }
  return lag;
}
