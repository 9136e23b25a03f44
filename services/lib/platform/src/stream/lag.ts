import { Gauge } from 'prom-client';
import type { Metrics } from '../metrics.js';
import type { StreamItem } from './reader-options.js';

type Registry = Metrics['registry'];

/** What the readers of one service report, read at scrape time. */
export interface ReaderPosition {
  /** The stream it reads (a reader moving to another stream reports the one it reads now). */
  stream: string;
  /** The offset stored with the last commit. */
  committedOffset(): number;
  /** How far behind the present the reader is, in seconds (see readerLag). */
  lagSeconds(): number;
}

const positions = new WeakMap<Registry, Map<string, ReaderPosition>>();

/**
 * orderly_stream_reader_lag_seconds and orderly_stream_reader_offset, per reader and stream. The lag is the
 * age of the oldest message delivered and not yet committed, or, when none waits, the age the
 * last committed one had at its commit: a reader stuck behind a database outage shows a growing
 * lag, an idle one a small one. A reader that is down reports nothing: the alert covers both
 * (charts/orderly/templates/monitoring.yaml), well before the stream's retention drops its messages.
 */
export function reportPosition(registry: Registry, reader: string, position: ReaderPosition): void {
  let readers = positions.get(registry);
  if (!readers) {
    const known = new Map<string, ReaderPosition>();
    readers = known;
    positions.set(registry, known);
    new Gauge({
      name: 'orderly_stream_reader_lag_seconds',
      help: 'How far behind the present a stream reader is: the age of its oldest delivered, uncommitted message',
      labelNames: ['reader', 'stream'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [r, p] of known) this.set({ reader: r, stream: p.stream }, p.lagSeconds());
      },
    });
    new Gauge({
      name: 'orderly_stream_reader_offset',
      help: 'The stream offset a reader stored with its last commit',
      labelNames: ['reader', 'stream'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [r, p] of known) this.set({ reader: r, stream: p.stream }, p.committedOffset());
      },
    });
  }
  readers.set(reader, position);
}

/**
 * The oldest uncommitted message's age in seconds, without parsing anything: the batch in hand is
 * parsed (its first event's time); a delivery still waiting for its batch is not, so it counts from
 * its delivery (it waits a linger at most, unless a batch is in hand, which is older).
 */
export function oldestAge(inHand: readonly StreamItem[], waiting: readonly StreamItem[]): number | undefined {
  const withEvent = inHand.find((i) => i.event);
  if (withEvent) return Math.max(0, (Date.now() - Date.parse(withEvent.event!.time)) / 1000);
  const oldest = inHand[0] ?? waiting[0];
  return oldest && (performance.now() - oldest.receivedAt) / 1000;
}
