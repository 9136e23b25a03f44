import type { Envelope } from '@orderly/events';
import type { Tx } from '@orderly/platform';
import { insertSaga, lockOverdueSagas, lockSaga, lockSagas, saveSaga } from '../store/saga-store.js';
import type { SagaCoordinator } from './coordinator.js';
import { compensations, decide, learn, orderSaga, type SagaContext, type SagaStep } from './definition.js';
import { type EarlyReplies, firstStepToRun, isEarlyReply } from './early-replies.js';

/**
 * Orchestration: sends each step's command, advances on its reply, and on failure, cancellation
 * or timeout sends the compensations of every step that may have run. State is one row per
 * order, locked for each decision.
 */
export class Orchestrator implements SagaCoordinator {
  constructor(
    private readonly stepTimeoutMs: number,
    private readonly steps: readonly SagaStep[] = orderSaga,
  ) {}

  async placed(tx: Tx, ctx: SagaContext): Promise<void> {
    insertSaga(tx, ctx, this.stepTimeoutMs);
    this.#send(tx, this.steps[0]!, ctx);
  }

  lockBatch(tx: Tx, orderIds: readonly string[]): Promise<void> {
    return lockSagas(tx, orderIds);
  }

  async replied(tx: Tx, event: Envelope & { data: { orderId: string } }): Promise<void> {
    const saga = await lockSaga(tx, event.data.orderId);
    if (saga?.state !== 'running') return;
    const decision = decide(this.steps, saga.step, event.type);
    const context: SagaContext & EarlyReplies = learn(saga.context, event.type, event.data);
    switch (decision.kind) {
      case 'advance': {
        const next = firstStepToRun(this.steps, decision.next, context.early);
        if (next === this.steps.length) {
          saveSaga(tx, { ...saga, state: 'completed', context }, undefined);
          return;
        }
        saveSaga(tx, { ...saga, step: next, context }, this.stepTimeoutMs);
        this.#send(tx, this.steps[next]!, context);
        return;
      }
      case 'complete':
        saveSaga(tx, { ...saga, state: 'completed', context }, undefined);
        return;
      case 'fail':
        this.#compensate(tx, saga.orderId, saga.step - 1);
        saveSaga(tx, { ...saga, state: 'failed', context }, undefined);
        return;
      case 'ignore':
        if (isEarlyReply(this.steps, saga.step, event.type)) {
          const remembered: SagaContext & EarlyReplies = { ...context, early: [...(context.early ?? []), event.type] };
          saveSaga(tx, { ...saga, context: remembered }, this.stepTimeoutMs);
        }
        return;
    }
  }

  async cancelled(tx: Tx, orderId: string): Promise<void> {
    const saga = await lockSaga(tx, orderId);
    if (saga?.state !== 'running' && saga?.state !== 'completed') return;
    // Every step, not only those sent so far: the current one may have run without its reply yet, and
    // while a mode switch drains (or the broker's bindings are changing under a rolling upgrade),
    // choreography's bindings may have run later ones too (the charge on inventory.reserved).
    // Undoing a step that never ran is safe: a refund voids the payment, so a late charge takes nothing.
    this.#compensate(tx, orderId, this.steps.length - 1);
    saveSaga(tx, { ...saga, state: 'cancelled' }, undefined);
  }

  async expire(tx: Tx, limit: number): Promise<string[]> {
    const overdue = await lockOverdueSagas(tx, limit);
    for (const saga of overdue) {
      // Every step, as for a cancellation: one after the overdue step may have run by the other mode's bindings.
      this.#compensate(tx, saga.orderId, this.steps.length - 1);
      saveSaga(tx, { ...saga, state: 'timed_out' }, undefined);
    }
    return overdue.map((s) => s.orderId);
  }

  #send(tx: Tx, step: SagaStep, ctx: SagaContext): void {
    tx.emit(step.command, ctx.orderId, step.data(ctx));
  }

  #compensate(tx: Tx, orderId: string, through: number): void {
    for (const command of compensations(this.steps, through)) tx.emit(command, orderId, { orderId });
  }
}
