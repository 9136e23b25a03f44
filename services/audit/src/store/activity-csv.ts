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
 * A cell a spreadsheet would not run as a formula: the log holds fields that came off the broker,
 * and a cell starting with = + - @ (or a tab or carriage return before one) is executed by Excel,
 * LibreOffice and Google Sheets. Such a cell gets a leading apostrophe (OWASP's advice), which the
 * spreadsheet shows as text.
 */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * The activity log in time order as a CSV stream. Rows come from a server-side cursor a batch at
 * a time and the stringifier is back-pressured by the response, so an export of any size holds
 * about one batch in memory. The connection goes back to the pool when the stream ends; it is
 * discarded when the export fails or the client goes away mid-way. An export that has not finished
 * within timeLimitMs (a slow reader holding a connection and a snapshot) is cut off.
 */
export async function activityCsv(
  pool: Pool,
  range: TimeRange,
  batchRows: number,
  timeLimitMs: number,
  onError: (err: Error) => void,
): Promise<Readable> {
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
  const csv = stringify({ header: true, columns: [...csvColumns], cast: { date: (d) => d.toISOString(), string: safeCell } });
  const limit = setTimeout(() => rows.destroy(new ExportTimeLimitError(timeLimitMs)), timeLimitMs);
  pipeline(rows, csv, (err) => {
    clearTimeout(limit);
    client.release(err ?? undefined);
    if (err) onError(err);
  });
  return csv;
}

export class ExportTimeLimitError extends Error {
  override name = 'ExportTimeLimitError';
  constructor(ms: number) {
    super(`the export did not finish within ${ms} ms`);
  }
}
