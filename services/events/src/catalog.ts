import { z } from 'zod';

/**
 * One schema per message type, imported by producers and consumers alike. Events say what
 * happened (topic `orderly.events`); commands ask a participant to act (orchestration mode,
 * direct `orderly.commands`). A message whose data fails its schema is dead-lettered at once.
 */
const orderId = z.uuid();
const sku = z.string().min(1).max(64);
const cents = z.number().int().nonnegative();
const currency = z.string().length(3);
const line = z.object({ sku, qty: z.number().int().positive() });
const pricedLine = line.extend({ unitPriceCents: cents });
export const rejectionReasons = ['out_of_stock', 'unknown_product', 'payment_declined'] as const;
export const rejectionReason = z.enum(rejectionReasons);

const customer = { customerId: z.string().min(1), email: z.email() };

export const events = {
  'order.placed': z.object({
    orderId,
    ...customer,
    items: z.array(line).min(1),
    paymentMethod: z.string().optional(),
  }),
  'order.confirmed': z.object({ orderId, ...customer, totalCents: cents, currency }),
  'order.rejected': z.object({ orderId, ...customer, reason: rejectionReason }),
  'inventory.reserved': z.object({
    orderId,
    lines: z.array(pricedLine).min(1),
    totalCents: cents,
    currency,
    paymentMethod: z.string().optional(),
  }),
  'inventory.rejected': z.object({
    orderId,
    reason: z.enum(['out_of_stock', 'unknown_product']),
    skus: z.array(sku),
  }),
  'inventory.released': z.object({ orderId, lines: z.array(line) }),
  'inventory.committed': z.object({ orderId, lines: z.array(line) }),
  'payment.completed': z.object({ orderId, paymentId: z.uuid(), amountCents: cents, currency }),
  'payment.failed': z.object({ orderId, reason: z.literal('payment_declined'), amountCents: cents }),
} as const;

export type EventType = keyof typeof events;
export type EventData<T extends EventType> = z.infer<(typeof events)[T]>;
export const eventTypes = Object.keys(events) as EventType[];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(events, type);
}
