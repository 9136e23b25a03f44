import { createHash } from 'node:crypto';

/** Test payment methods with a fixed answer, as card gateways' sandboxes offer. */
export const alwaysApproves = 'pm_card_visa';
export const alwaysDeclines = 'pm_card_declined';

export type Decision = 'approved' | 'declined';

/** How the simulated gateway answers: the share it approves, and whether the test methods are honoured. */
export interface GatewaySettings {
  successRate: number;
  /** Sandbox mode (PAYMENT_SANDBOX): the test methods have their fixed answers; otherwise they are ordinary methods. */
  sandbox: boolean;
}

/**
 * The simulated gateway's answer. In sandbox mode the test methods answer as their names say. Any
 * other method approves with probability successRate, drawn from the order id rather than a random
 * number, so a retried charge gets the same answer.
 */
export function decide(orderId: string, method: string | undefined, { successRate, sandbox }: GatewaySettings): Decision {
  if (sandbox && method === alwaysApproves) return 'approved';
  if (sandbox && method === alwaysDeclines) return 'declined';
  return drawFor(orderId) < successRate ? 'approved' : 'declined';
}

/** A number in [0, 1) fixed by the order id. */
export function drawFor(orderId: string): number {
  return createHash('sha256').update(orderId).digest().readUInt32BE(0) / 2 ** 32;
}
