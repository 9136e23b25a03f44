import { z } from 'zod';

/**
 * One schema per message type, imported by producers and consumers alike. Events say what
 * happened (topic `orderly.events`, routing key = type); commands ask one participant to act
 * (orchestration mode, direct `orderly.commands`, routing key = command name); notifications go
 * to every channel (fanout `orderly.notifications`). A message whose data fails its schema is
 * dead-lettered at once.
 */
const orderId = z.uuid();
const sku = z.string().min(1).max(64);
const cents = z.number().int().nonnegative();
const currency = z.string().length(3);
const line = z.object({ sku, qty: z.number().int().positive() });
const pricedLine = line.extend({ unitPriceCents: cents });
export const rejectionReasons = ['out_of_stock', 'unknown_product', 'payment_declined'] as const;
export const rejectionReason = z.enum(rejectionReasons);
export const cancellationReasons = ['customer_request', 'saga_timeout'] as const;
export const notificationKinds = [
  'order_confirmed',
  'order_rejected',
  'order_shipped',
  'order_delivered',
  'order_cancelled',
  'payment_refunded',
] as const;

const customer = { customerId: z.string().min(1), email: z.email() };
const shipment = { shipmentId: z.uuid(), carrier: z.string().min(1), trackingNumber: z.string().min(1) };

export const events = {
  'order.placed': z.object({ orderId, ...customer, items: z.array(line).min(1), paymentMethod: z.string().optional() }),
  'order.confirmed': z.object({ orderId, ...customer, totalCents: cents, currency }),
  'order.rejected': z.object({ orderId, ...customer, reason: rejectionReason }),
  'order.shipped': z.object({ orderId, ...customer, carrier: z.string(), trackingNumber: z.string() }),
  'order.delivered': z.object({ orderId, ...customer }),
  'order.cancelled': z.object({ orderId, ...customer, reason: z.enum(cancellationReasons) }),
  'inventory.reserved': z.object({
    orderId,
    lines: z.array(pricedLine).min(1),
    totalCents: cents,
    currency,
    paymentMethod: z.string().optional(),
  }),
  'inventory.rejected': z.object({ orderId, reason: z.enum(['out_of_stock', 'unknown_product']), skus: z.array(sku) }),
  /** Held stock given back; `returned` when it had already been sold (a cancelled paid order). */
  'inventory.released': z.object({ orderId, lines: z.array(line), returned: z.boolean().default(false) }),
  'inventory.committed': z.object({ orderId, lines: z.array(line) }),
  'payment.completed': z.object({ orderId, paymentId: z.uuid(), amountCents: cents, currency }),
  'payment.failed': z.object({ orderId, reason: z.literal('payment_declined'), amountCents: cents }),
  'payment.refunded': z.object({ orderId, paymentId: z.uuid(), amountCents: cents, currency }),
  'shipment.created': z.object({ orderId, ...shipment }),
  'shipment.dispatched': z.object({ orderId, ...shipment }),
  'shipment.delivered': z.object({ orderId, ...shipment }),
  'shipment.cancelled': z.object({ orderId, shipmentId: z.uuid() }),
  /** One customer message, fanned out to every channel (email, the stored log, …). */
  'notification.requested': z.object({
    notificationId: z.uuid(),
    orderId,
    ...customer,
    kind: z.enum(notificationKinds),
    subject: z.string().min(1),
    body: z.string().min(1),
  }),
} as const;

/** Orchestration commands. Each carries what its handler needs, in the same shape as the event
 * that triggers the same handler in choreography, so one function serves both modes. */
export const commands = {
  'inventory.reserve': z.object({ orderId, items: z.array(line).min(1), paymentMethod: z.string().optional() }),
  'inventory.release': z.object({ orderId }),
  'inventory.commit': z.object({ orderId }),
  'payment.charge': z.object({ orderId, totalCents: cents, currency, paymentMethod: z.string().optional() }),
  'payment.refund': z.object({ orderId }),
  'shipping.create': z.object({ orderId, customerId: z.string().min(1) }),
  'shipping.cancel': z.object({ orderId }),
} as const;

export const messages = { ...events, ...commands };
export type EventType = keyof typeof events;
export type CommandType = keyof typeof commands;
export type MessageType = keyof typeof messages;
export type EventData<T extends MessageType> = z.infer<(typeof messages)[T]>;
export const eventTypes = Object.keys(events) as EventType[];
export const commandTypes = Object.keys(commands) as CommandType[];

export function isMessageType(type: string): type is MessageType {
  return Object.hasOwn(messages, type);
}
export function isCommandType(type: string): type is CommandType {
  return Object.hasOwn(commands, type);
}
