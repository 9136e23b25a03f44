import { type Database, type Tx, TxLocal } from '@orderly/platform';
import type { SagaContext } from '../saga/definition.js';

export type SagaState = 'running' | 'completed' | 'failed' | 'cancelled' | 'timed_out';

export interface SagaRow {
  orderId: string;
  step: number;
  state: SagaState;
  context: SagaContext;
}

const columns = `order_id AS "orderId", step, state, context`;

/** The saga of a new order, at its first step, due within deadlineMs. */
/** Goes with the COMMIT, like the order it starts with. */
export function insertSaga(tx: Tx, ctx: SagaContext, deadlineMs: number): void {
  tx.queueForCommit(
    `INSERT INTO sagas (order_id, step, state, context, deadline_at) VALUES ($1, 0, 'running', $2, now() + make_interval(secs => $3))`,
    [ctx.orderId, JSON.stringify(ctx), deadlineMs / 1000],
  );
}

/**
 * The sagas a transaction has locked, as its queued writes leave them: the next reply of a batch
 * sees the step the previous one set, although the write waits for the commit.
 */
const held = new TxLocal<Map<string, SagaRow>>(() => new Map());

/** The order's saga, locked for one decision, so replicas and redeliveries cannot advance it twice. */
export async function lockSaga(tx: Tx, orderId: string): Promise<SagaRow | undefined> {
  const h = tx.local(held);
  const mine = h.get(orderId);
  if (mine) return mine;
  const { rows } = await tx.query<SagaRow>(`SELECT ${columns} FROM sagas WHERE order_id = $1 FOR UPDATE`, [orderId]);
  if (rows[0]) h.set(orderId, rows[0]);
  return rows[0];
}

/** Locks the sagas of a batch's orders in one statement, in order id order, for lockSaga to hand out. */
export async function lockSagas(tx: Tx, orderIds: readonly string[]): Promise<void> {
  const h = tx.local(held);
  const wanted = [...new Set(orderIds)].filter((id) => !h.has(id)).sort();
  if (wanted.length === 0) return;
  const { rows } = await tx.query<SagaRow>(`SELECT ${columns} FROM sagas WHERE order_id = ANY($1::uuid[]) ORDER BY order_id FOR UPDATE`, [
    wanted,
  ]);
  for (const row of rows) h.set(row.orderId, row);
}

/**
 * deadlineMs undefined: no step is waiting, so no deadline. Nothing reads the row back before the
 * commit, so the write goes with the COMMIT.
 */
export function saveSaga(tx: Tx, saga: SagaRow, deadlineMs: number | undefined): void {
  tx.queueForCommit(
    `UPDATE sagas SET step = $2, state = $3, context = $4, updated_at = now(),
            deadline_at = CASE WHEN $5::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => $5) END
      WHERE order_id = $1`,
    [saga.orderId, saga.step, saga.state, JSON.stringify(saga.context), deadlineMs === undefined ? null : deadlineMs / 1000],
  );
  tx.local(held).set(saga.orderId, saga);
}

/** Running sagas past their deadline, locked; another replica's sweep skips them. */
export async function lockOverdueSagas(tx: Tx, limit: number): Promise<SagaRow[]> {
  const { rows } = await tx.query<SagaRow>(
    `SELECT ${columns} FROM sagas WHERE state = 'running' AND deadline_at < now()
      ORDER BY deadline_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

/** The saga row as an operator reads it: where it is, and until when its step may wait. */
export interface SagaView extends SagaRow {
  /** When the current step times out; null once no step is waiting. */
  deadlineAt: Date | null;
  updatedAt: Date;
}

export async function findSaga(db: Database, orderId: string): Promise<SagaView | undefined> {
  const { rows } = await db.pool.query<SagaView>(
    `SELECT ${columns}, deadline_at AS "deadlineAt", updated_at AS "updatedAt" FROM sagas WHERE order_id = $1`,
    [orderId],
  );
  return rows[0];
}
