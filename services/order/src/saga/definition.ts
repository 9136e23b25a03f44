import type { CommandType, EventData, EventType } from '@orderly/events';
import type { Status } from '../domain/lifecycle.js';
import { stepReplies } from '../domain/lifecycle-rules.js';

/** What the orchestrator knows about an order while driving it. */
export interface SagaContext {
  orderId: string;
  customerId: string;
  items: { sku: string; qty: number }[];
  paymentMethod?: string;
  totalCents?: number;
  currency?: string;
}

export interface SagaStep {
  name: string;
  command: CommandType;
  /** The order's status while the step runs; a step that moves the order takes its replies from the lifecycle table. */
  while: Status;
  /** The command's data, from what the saga knows so far. */
  data(ctx: SagaContext): EventData<CommandType>;
  /** Replies that complete the step; the next step's command goes out. */
  succeeded: EventType[];
  /** Replies that fail the saga: every completed step is compensated. */
  failed: EventType[];
  /** The command that undoes the step (participants make it safe to send even if it never ran). */
  compensation?: CommandType;
}

/**
 * The order saga of orchestration mode, as data: reserve → charge → commit stock → ship. The
 * replies of the steps that move the order are the lifecycle table's (stepReplies); committing
 * stock and creating the shipment leave the order CONFIRMED, so their replies are the saga's own.
 */
export const orderSaga: readonly SagaStep[] = [
  {
    name: 'reserve',
    command: 'inventory.reserve',
    while: 'PENDING',
    ...stepReplies('PENDING'),
    data: ({ orderId, items, paymentMethod }) => ({ orderId, items, ...(paymentMethod ? { paymentMethod } : {}) }),
    compensation: 'inventory.release',
  },
  {
    name: 'charge',
    command: 'payment.charge',
    while: 'RESERVED',
    ...stepReplies('RESERVED'),
    data: ({ orderId, totalCents, currency, paymentMethod }) => ({
      orderId,
      totalCents: totalCents ?? 0,
      currency: currency ?? 'EUR',
      ...(paymentMethod ? { paymentMethod } : {}),
    }),
    compensation: 'payment.refund',
  },
  {
    name: 'commit',
    command: 'inventory.commit',
    while: 'CONFIRMED',
    data: ({ orderId }) => ({ orderId }),
    succeeded: ['inventory.committed'],
    failed: [],
    // Undone by the reserve step's release, which returns stock that was already sold.
  },
  {
    name: 'ship',
    command: 'shipping.create',
    while: 'CONFIRMED',
    data: ({ orderId, customerId }) => ({ orderId, customerId }),
    succeeded: ['shipment.created'],
    failed: [],
    compensation: 'shipping.cancel',
  },
];

/** What a reply teaches the saga (the reserved total, for the charge). */
export function learn(ctx: SagaContext, type: string, data: Record<string, unknown>): SagaContext {
  if (type === 'inventory.reserved') return { ...ctx, totalCents: data.totalCents as number, currency: data.currency as string };
  return ctx;
}

export type Decision = { kind: 'advance'; next: number } | { kind: 'complete' } | { kind: 'fail' } | { kind: 'ignore' };

/** Pure: what a reply means at the saga's current step. A reply for another step is stale. */
export function decide(steps: readonly SagaStep[], current: number, type: string): Decision {
  const step = steps[current];
  if (!step) return { kind: 'ignore' };
  if (step.succeeded.includes(type as EventType))
    return current + 1 < steps.length ? { kind: 'advance', next: current + 1 } : { kind: 'complete' };
  if (step.failed.includes(type as EventType)) return { kind: 'fail' };
  return { kind: 'ignore' };
}

/** Compensations to send, newest first, for steps 0..through. */
export function compensations(steps: readonly SagaStep[], through: number): CommandType[] {
  return steps
    .slice(0, through + 1)
    .reverse()
    .flatMap((s) => (s.compensation ? [s.compensation] : []));
}
