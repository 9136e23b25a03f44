import type { Queued } from './round-trips.js';

/**
 * A statement that writes many rows at once (Tx.queueRowForCommit): each column travels as one
 * array parameter, so a batch's rows cost one parse/bind/execute, not one per row. Defined once,
 * at module level: its text is fixed, and so prepared once per connection.
 */
export class RowBatch<Row extends readonly unknown[]> {
  readonly text: string;
  /** The PostgreSQL type of each column of a row, in order. */
  readonly types: readonly string[];
  readonly key: ((row: Row) => string) | undefined;

  constructor(def: {
    /** The PostgreSQL type of each column, in row order: uuid, text, timestamptz, bigint, … (jsonb: pass text and cast). */
    types: readonly string[];
    /**
     * The statement, given where its rows come from: `unnest($1::uuid[], $2::text[], …)`, e.g.
     * `INSERT INTO t (a, b) SELECT * FROM ${rows}` or `UPDATE t SET … FROM ${rows} AS v(a, b) WHERE t.a = v.a`.
     */
    sql: (rows: string) => string;
    /**
     * Rows with the same key are one row, the later replacing the earlier in place (the last state
     * wins): an UPDATE … FROM never sees two rows for one target row.
     */
    key?: (row: Row) => string;
  }) {
    this.types = def.types;
    this.key = def.key;
    this.text = def.sql(`unnest(${def.types.map((type, i) => `$${i + 1}::${type}[]`).join(', ')})`);
  }
}

interface Rows {
  batch: RowBatch<readonly unknown[]>;
  rows: Map<string | number, readonly unknown[]>;
}

/**
 * A transaction's writes for the commit: statements in the order queued, and each batch's rows as
 * one statement standing where its first row was queued.
 */
export class QueuedWrites {
  readonly #items: (Queued | Rows)[] = [];
  readonly #batches = new Map<RowBatch<readonly unknown[]>, Rows>();

  statement(text: string, values: unknown[]): void {
    this.#items.push({ text, values });
  }

  row<Row extends readonly unknown[]>(batch: RowBatch<Row>, row: Row): void {
    // Refused where the bug is, not as a misaligned column at the commit.
    if (row.length !== batch.types.length) throw new Error(`a row of ${batch.types.length} columns expected, got ${row.length}`);
    const any = batch as unknown as RowBatch<readonly unknown[]>;
    let queued = this.#batches.get(any);
    if (!queued) {
      queued = { batch: any, rows: new Map() };
      this.#batches.set(any, queued);
      this.#items.push(queued);
    }
    queued.rows.set(batch.key ? batch.key(row) : queued.rows.size, row);
  }

  /** What is sent with the COMMIT (or run before a dry run's rollback), in order. */
  statements(): Queued[] {
    return this.#items.map((item) => {
      if (!('batch' in item)) return item;
      const rows = [...item.rows.values()];
      return { text: item.batch.text, values: item.batch.types.map((_, column) => rows.map((r) => r[column] ?? null)) };
    });
  }
}
