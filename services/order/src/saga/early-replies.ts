import type { SagaStep } from './definition.js';

/**
 * Replies that come before their step's command. Only a saga-mode switch makes them (decision
 * 0022): while it drains, the broker binds both modes, so a participant also reacts to the events
 * of an orchestrated order the way choreography does — shipping creates the shipment on
 * order.confirmed while the orchestrator still waits for inventory.committed. Such a reply is
 * remembered, and its step is not sent or waited for when the saga gets there: without this the
 * step would wait for a reply that already came, time out and compensate a paid order.
 */
export interface EarlyReplies {
  early?: string[];
}

/** Whether the reply completes a step after the current one. */
export function isEarlyReply(steps: readonly SagaStep[], current: number, type: string): boolean {
  return steps.some((step, i) => i > current && step.succeeded.some((t) => t === type));
}

/** The first step from `from` on whose success has not come yet (steps.length: the saga is complete). */
export function firstStepToRun(steps: readonly SagaStep[], from: number, early: readonly string[] = []): number {
  let step = from;
  while (step < steps.length && steps[step]!.succeeded.some((t) => early.includes(t))) step += 1;
  return step;
}
