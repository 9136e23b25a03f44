import type { Envelope } from '@orderly/events';
import type { Tx } from '@orderly/platform';
import { compensations, decide, learn, orderSaga, type SagaContext, type SagaStep } from './definition.js';

interface SagaRow {
  step: number;
  state: 'running' | 'completed' | 'failed' | 'cancelled' | 'timed_out';
  context: SagaContext;
}

/** What the order service does for the saga beyond its own state: nothing in choreography. */
export interface SagaCoordinator {
  placed(tx: Tx, ctx: SagaContext): Promise<void>;
  replied(tx: Tx, event: Envelope & { data: { orderId: string } }): Promise<void>;
  cancelled(tx: Tx, orderId: string): Promise<void>;
  /** Sagas whose step waited past its deadline: compensated here; returns their order ids. */
  expire(tx: Tx, limit: number): Promise<string[]>;
}

export const choreography: SagaCoordinator = {
  placed: async () => {},
  replied: async () => {},
  cancelled: async () => {},
  expire: async () => [],
};

/**
 * Orchestration: sends each step's command, advances on its reply, and on failure, cancellation
 * or timeout sends the compensations of every step that may have run. State is one row per
 * order, locked for each decision, so replicas and redeliveries cannot advance a saga twice.
 */
export class Orchestrator implements SagaCoordinator {
  constructor(
    private readonly stepTimeoutMs: number,
    private readonly steps: readonly SagaStep[] = orderSaga,
  ) {}

  async placed(tx: Tx, ctx: SagaContext): Promise<void> {
    await tx.query(
      `INSERT INTO sagas (order_id, step, state, context, deadline_at) VALUES ($1, 0, 'running', $2, now() + make_interval(secs => $3))`,
      [ctx.orderId, JSON.stringify(ctx), this.stepTimeoutMs / 1000],
    );
    this.#send(tx, this.steps[0]!, ctx);
  }

  async replied(tx: Tx, event: Envelope & { data: { orderId: string } }): Promise<void> {
    const saga = await this.#lock(tx, event.data.orderId);
    if (saga?.state !== 'running') return;
    const decision = decide(this.steps, saga.step, event.type);
    const ctx = learn(saga.context, event.type, event.data);
    switch (decision.kind) {
      case 'advance':
        await this.#save(tx, ctx.orderId, decision.next, 'running', ctx, true);
        this.#send(tx, this.steps[decision.next]!, ctx);
        return;
      case 'complete':
        await this.#save(tx, ctx.orderId, saga.step, 'completed', ctx, false);
        return;
      case 'fail':
        this.#compensate(tx, ctx.orderId, saga.step - 1);
        await this.#save(tx, ctx.orderId, saga.step, 'failed', ctx, false);
        return;
      case 'ignore':
        return;
    }
  }

  async cancelled(tx: Tx, orderId: string): Promise<void> {
    const saga = await this.#lock(tx, orderId);
    if (saga?.state !== 'running' && saga?.state !== 'completed') return;
    // The current step's command may have run without its reply yet: undo it too.
    this.#compensate(tx, orderId, saga.state === 'completed' ? this.steps.length - 1 : saga.step);
    await this.#save(tx, orderId, saga.step, 'cancelled', saga.context, false);
  }

  async expire(tx: Tx, limit: number): Promise<string[]> {
    const { rows } = await tx.query<SagaRow & { order_id: string }>(
      `SELECT order_id, step, state, context FROM sagas WHERE state = 'running' AND deadline_at < now()
        ORDER BY deadline_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    for (const saga of rows) {
      this.#compensate(tx, saga.order_id, saga.step);
      await this.#save(tx, saga.order_id, saga.step, 'timed_out', saga.context, false);
    }
    return rows.map((r) => r.order_id);
  }

  #send(tx: Tx, step: SagaStep, ctx: SagaContext): void {
    tx.emit(step.command, ctx.orderId, step.data(ctx));
  }

  #compensate(tx: Tx, orderId: string, through: number): void {
    for (const command of compensations(this.steps, through)) tx.emit(command, orderId, { orderId });
  }

  async #lock(tx: Tx, orderId: string): Promise<SagaRow | undefined> {
    const { rows } = await tx.query<SagaRow>('SELECT step, state, context FROM sagas WHERE order_id = $1 FOR UPDATE', [orderId]);
    return rows[0];
  }

  async #save(tx: Tx, orderId: string, step: number, state: SagaRow['state'], ctx: SagaContext, armDeadline: boolean) {
    await tx.query(
      `UPDATE sagas SET step = $2, state = $3, context = $4, updated_at = now(),
              deadline_at = CASE WHEN $5 THEN now() + make_interval(secs => $6) END
        WHERE order_id = $1`,
      [orderId, step, state, JSON.stringify(ctx), armDeadline, this.stepTimeoutMs / 1000],
    );
  }
}
