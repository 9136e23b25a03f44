import { pipeline, type Readable } from 'node:stream';
import type { Pool } from '@orderly/platform';
import { stringify } from 'csv-stringify';
import QueryStream from 'pg-query-stream';

export const csvColumns = ['time', 'type', 'kind', 'order_id', 'source', 'trace_id', 'event_id', 'causation_id', 'payload'] as const;

export interface TimeRange {
  /** Inclusive. */
  from?: string | undefined;
  /** Exclusive. */
  to?: string | undefined;
}

/**
 * The activity log in time order as a CSV stream. Rows come from a server-side cursor a batch at
 * a time and the stringifier is back-pressured by the response, so an export of any size holds
 * about one batch in memory. The connection goes back to the pool when the stream ends; it is
 * discarded when the export fails or the client goes away mid-way.
 */
export async function activityCsv(pool: Pool, range: TimeRange, batchRows: number, onError: (err: Error) => void): Promise<Readable> {
  const client = await pool.connect();
  const rows = client.query(
    new QueryStream(
      `SELECT time, type, kind, order_id, source, trace_id, event_id, causation_id, payload::text AS payload
         FROM activity
        WHERE ($1::timestamptz IS NULL OR time >= $1) AND ($2::timestamptz IS NULL OR time < $2)
        ORDER BY time, event_id`,
      [range.from ?? null, range.to ?? null],
      { batchSize: batchRows, highWaterMark: batchRows },
    ),
  );
  const csv = stringify({ header: true, columns: [...csvColumns], cast: { date: (d) => d.toISOString() } });
  pipeline(rows, csv, (err) => {
    client.release(err ?? undefined);
    if (err) onError(err);
  });
  return csv;
}
