import { z } from 'zod';

/**
 * One schema per message type, imported by producers and consumers alike. Events say what
 * happened (topic `orderly.events`, routing key = type); commands ask one participant to act
 * (orchestration mode, direct `orderly.commands`, routing key = command name). A message whose
 * data fails its schema is dead-lettered at once.
 */
const orderId = z.uuid();
const sku = z.string().min(1).max(64);
/**
 * Bounds that the columns holding these values can take (money is `bigint`, quantities `integer`)
 * and that a sum of them cannot overflow: at most maxLines lines of maxQty units at maxCents each
 * stays below 2^53, so a total is exact in a JS number and fits a bigint column.
 */
export const maxCents = 1_000_000_000_000;
export const maxQty = 1_000_000;
export const maxLines = 100;
const cents = z.number().int().nonnegative().max(maxCents);
const currency = z.string().regex(/^[A-Z]{3}$/);
const line = z.object({ sku, qty: z.number().int().positive().max(maxQty) });
const lines = z.array(line).min(1).max(maxLines);
const text = (max: number) => z.string().min(1).max(max);
const paymentMethod = z.string().max(64).optional();
const pricedLine = line.extend({ unitPriceCents: cents });
export const rejectionReasons = ['out_of_stock', 'unknown_product', 'payment_declined'] as const;
export const rejectionReason = z.enum(rejectionReasons);
/** payment_mismatch: a payment whose amount or currency is not what was reserved is refunded, not a confirmation. */
export const cancellationReasons = ['customer_request', 'saga_timeout', 'payment_mismatch'] as const;
export const notificationKinds = [
  'order_confirmed',
  'order_rejected',
  'order_shipped',
  'order_delivered',
  'order_cancelled',
  'payment_refunded',
] as const;

const customer = { customerId: text(128), email: z.email().max(254) };
const shipment = { shipmentId: z.uuid(), carrier: text(128), trackingNumber: text(128) };
/** Which parked message an operator acted on, and who did it (the token's subject). */
const deadLetterAction = { deadLetterId: z.uuid(), queue: text(200), messageType: text(200), operator: text(200) };
/**
 * Which bytes a redrive sent back (decision 0024): the parked message's id, the SHA-256 of its body
 * (hex) and the publisher the copy names, so the audit log ties each redrive to the envelope it
 * returned. Optional only for events written before they existed.
 */
const redrivenEnvelope = {
  messageId: text(200).optional(),
  bodySha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  publishedBy: text(200).optional(),
};

export const events = {
  'order.placed': z.object({ orderId, ...customer, items: lines, paymentMethod }),
  'order.confirmed': z.object({ orderId, ...customer, totalCents: cents, currency }),
  'order.rejected': z.object({ orderId, ...customer, reason: rejectionReason }),
  'order.shipped': z.object({ orderId, ...customer, carrier: z.string().max(128), trackingNumber: z.string().max(128) }),
  'order.delivered': z.object({ orderId, ...customer }),
  'order.cancelled': z.object({ orderId, ...customer, reason: z.enum(cancellationReasons) }),
  'inventory.reserved': z.object({
    orderId,
    lines: z.array(pricedLine).min(1).max(maxLines),
    totalCents: cents,
    currency,
    paymentMethod,
  }),
  'inventory.rejected': z.object({ orderId, reason: z.enum(['out_of_stock', 'unknown_product']), skus: z.array(sku).max(maxLines) }),
  /** Held stock given back; `returned` when it had already been sold (a cancelled paid order). */
  'inventory.released': z.object({ orderId, lines: z.array(line).max(maxLines), returned: z.boolean().default(false) }),
  'inventory.committed': z.object({ orderId, lines: z.array(line).max(maxLines) }),
  'payment.completed': z.object({ orderId, paymentId: z.uuid(), amountCents: cents, currency }),
  'payment.failed': z.object({ orderId, reason: z.literal('payment_declined'), amountCents: cents }),
  'payment.refunded': z.object({ orderId, paymentId: z.uuid(), amountCents: cents, currency }),
  'shipment.created': z.object({ orderId, ...shipment }),
  'shipment.dispatched': z.object({ orderId, ...shipment }),
  'shipment.delivered': z.object({ orderId, ...shipment }),
  'shipment.cancelled': z.object({ orderId, shipmentId: z.uuid() }),
  /**
   * Operator actions on a parked message, produced by the console (decision 0011): the audit log
   * keeps them, so they appear on the order's timeline. The subject is the order id, or the parked
   * message's id when it names no order.
   */
  'deadletter.redriven': z.object({ ...deadLetterAction, reason: text(1000).optional(), ...redrivenEnvelope }),
  'deadletter.discarded': z.object({ ...deadLetterAction, reason: text(1000) }),
  /**
   * A copy sent through a queue's retry exchange as a redrive that its consumer refused, because
   * it never parked those bytes from the publisher the copy claims (decision 0024): recorded by
   * the console's keeper when the refused copy reaches the DLQ. `sentBy` is the broker user that
   * sent it, `claimedPublisher` whom it claimed to come from.
   */
  'deadletter.refused': z.object({
    deadLetterId: z.uuid(),
    queue: text(200),
    messageType: text(200),
    messageId: text(200).optional(),
    sentBy: text(200),
    claimedPublisher: text(200),
    reason: text(1000),
  }),
} as const;

/** Orchestration commands. Each carries what its handler needs, in the same shape as the event
 * that triggers the same handler in choreography, so one function serves both modes. */
export const commands = {
  'inventory.reserve': z.object({ orderId, items: lines, paymentMethod }),
  'inventory.release': z.object({ orderId }),
  'inventory.commit': z.object({ orderId }),
  'payment.charge': z.object({ orderId, totalCents: cents, currency, paymentMethod }),
  'payment.refund': z.object({ orderId }),
  'shipping.create': z.object({ orderId, customerId: text(128) }),
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
