import type { Envelope } from '@orderly/events';
import type { BaseConfig, Tx } from '@orderly/platform';
import { choreography } from './choreography.js';
import type { SagaContext } from './definition.js';
import { Orchestrator } from './orchestrator.js';
import { switching } from './switching.js';

export type SagaMode = BaseConfig['SAGA_MODE'];

/** What the order service does for the saga beyond moving the order itself. */
export interface SagaCoordinator {
  /** The order was placed, in the same transaction. */
  placed(tx: Tx, ctx: SagaContext): Promise<void>;
  /** A batch of replies is about to be handled: lock what they will decide on, in one statement. */
  lockBatch(tx: Tx, orderIds: readonly string[]): Promise<void>;
  /** A participant reported an outcome. */
  replied(tx: Tx, event: Envelope & { data: { orderId: string } }): Promise<void>;
  /** The customer cancelled the order. */
  cancelled(tx: Tx, orderId: string): Promise<void>;
  /** Sagas whose step waited past its deadline: compensated here; returns their order ids. */
  expire(tx: Tx, limit: number): Promise<string[]>;
}

/** The one place the saga mode is decided; while a switch drains, each order keeps the mode it started in. */
export function sagaFor(mode: SagaMode, stepTimeoutMs: number, drainingSwitch = false): SagaCoordinator {
  const orchestrator = new Orchestrator(stepTimeoutMs);
  const placement = mode === 'orchestration' ? orchestrator : choreography;
  return drainingSwitch ? switching(placement, orchestrator) : placement;
}

/** Saga steps have deadlines in orchestration, and while a switch may still hold orchestrated sagas. */
export const sagaHasDeadlines = (mode: SagaMode, drainingSwitch: boolean) => mode === 'orchestration' || drainingSwitch;
