import type { SagaCoordinator } from './coordinator.js';
import type { Orchestrator } from './orchestrator.js';

/**
 * While a saga-mode switch drains (SAGA_SWITCHING, decision 0022): new orders start in the
 * configured mode, and every order keeps the mode it started in. The orchestrator goes on driving
 * the orders that have a saga row (it ignores the others: no row, nothing to decide); choreographed
 * orders have none and advance by the participants' events, which the switching topology still binds.
 */
export function switching(placement: SagaCoordinator, orchestrator: Orchestrator): SagaCoordinator {
  return {
    placed: (tx, ctx) => placement.placed(tx, ctx),
    lockBatch: (tx, orderIds) => orchestrator.lockBatch(tx, orderIds),
    replied: (tx, event) => orchestrator.replied(tx, event),
    cancelled: (tx, orderId) => orchestrator.cancelled(tx, orderId),
    expire: (tx, limit) => orchestrator.expire(tx, limit),
  };
}
