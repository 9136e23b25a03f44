import { type Pool, RowBatch, type Tx } from '@orderly/platform';
import type { Activity } from '../domain/activity.js';

type ActivityRow = [
  id: string,
  type: string,
  kind: string,
  orderId: string,
  source: string,
  time: string,
  causationId: string | null,
  traceId: string | null,
  payload: string,
];

/** A batch's messages, kept in one statement; a copy of one (same id, even in the same batch) is left out. */
const activityRows = new RowBatch<ActivityRow>({
  types: ['uuid', 'text', 'text', 'text', 'text', 'timestamptz', 'text', 'text', 'text'],
  sql: (rows) => `INSERT INTO activity (event_id, type, kind, order_id, source, time, causation_id, trace_id, payload)
     SELECT event_id, type, kind, order_id, source, time, causation_id, trace_id, payload::jsonb
       FROM ${rows} AS a(event_id, type, kind, order_id, source, time, causation_id, trace_id, payload)
     ON CONFLICT (event_id) DO NOTHING`,
});

/**
 * Keeps a message; one already kept (same id) is left as it is. Nothing reads the row back in the
 * transaction, so it goes with the commit: a batch of messages costs one round trip and one
 * statement, not one each.
 */
export function insertActivity(tx: Tx, a: Activity): void {
  tx.queueRowForCommit(activityRows, [
    a.id,
    a.type,
    a.kind,
    a.orderId,
    a.source,
    a.time,
    a.causationId,
    a.traceId,
    JSON.stringify(a.payload),
  ]);
}

export interface LoggedMessage {
  id: string;
  type: string;
  kind: 'event' | 'command';
  source: string;
  time: string;
  traceId: string | null;
  causationId: string | null;
  data: unknown;
}

/** Every message of an order, in time order (the caller puts them in causal order). */
export async function messagesOf(pool: Pool, orderId: string): Promise<LoggedMessage[]> {
  // The time to the microsecond, as the envelope had it (a JS Date would cut it to the millisecond).
  const { rows } = await pool.query<LoggedMessage>(
    `SELECT event_id AS id, type, kind, source, to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS time,
            trace_id AS "traceId", causation_id AS "causationId", payload AS data
       FROM activity WHERE order_id = $1 ORDER BY activity.time, event_id LIMIT 5000`,
    [orderId],
  );
  // A time with no microseconds reads as it was written (…12:00:00.025Z).
  return rows.map((r) => ({ ...r, time: r.time.replace(/(\.\d{3})000Z$/, '$1Z') }));
}
