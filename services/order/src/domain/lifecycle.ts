import type { cancellationReasons, EventData, rejectionReasons } from '@orderly/events';

/**
 * The order's lifecycle, in one place: what each outcome — a participant's reply, the customer's
 * cancel, an orchestrated step's deadline — does to an order in each status: the status it moves
 * to, the facts it keeps, the event it emits with its reason, and whether the saga is undone.
 * The handlers, the events and their reasons, what an order waits for next, the orchestrated
 * saga's replies and the open statuses are derived from this table (lifecycle-rules.ts); the
 * copies that cannot import it (the console's status lists, migration 007's partial index) are
 * tied to it by tests. docs/architecture.md renders it.
 *
 * Messages can arrive twice or out of order, so an outcome applies only in the statuses `from`
 * names; in an `early` status a step it depends on has not happened yet, and it waits (retried,
 * then parked), never skipping the step; in any other status it is late, repeated or overtaken,
 * and ignored.
 */
export const statuses = ['PENDING', 'RESERVED', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'] as const;
export type Status = (typeof statuses)[number];
export type RejectionReason = (typeof rejectionReasons)[number];
export type CancellationReason = (typeof cancellationReasons)[number];

/** The participants' replies that can move an order (each names its order). */
export const replies = [
  'inventory.reserved',
  'inventory.rejected',
  'payment.completed',
  'payment.failed',
  'shipment.dispatched',
  'shipment.delivered',
] as const;
export type Reply = (typeof replies)[number];
/** What moves an order without a message: POST /orders/:id/cancel, and orchestration's sweep of overdue steps. */
export type Trigger = Reply | 'cancel request' | 'step deadline';

type DataOf<T extends Trigger> = T extends Reply ? EventData<T> : undefined;

/** What an order keeps from a reply: the reserved total on its row; the parcel, for the customer's message. */
export interface Facts {
  totalCents?: number;
  currency?: string;
  carrier?: string;
  trackingNumber?: string;
}

/** What a row's condition may look at besides the reply: the total a payment must match. */
export interface Reserved {
  totalCents?: number;
  currency: string;
}

/** The event that tells everyone downstream (and the customer) what happened, with its reason. */
export type Emits =
  | { emits?: 'order.confirmed' | 'order.shipped' | 'order.delivered'; reason?: undefined }
  | { emits: 'order.rejected'; reason: RejectionReason }
  | { emits: 'order.cancelled'; reason: CancellationReason };

export type Transition<T extends Trigger = Trigger> = {
  on: T;
  /** Which of the rows on the same reply this is (a rejection's reason; a payment that matches the reserved total). */
  when?: (data: DataOf<T>, order: Reserved) => boolean;
  from: readonly Status[];
  early?: readonly Status[];
  to: Status;
  facts?: (data: DataOf<T>) => Facts;
  /** The saga is undone: every step that may have run is compensated (a cancelled order keeps no money and no stock). */
  compensates?: true;
} & Emits;

const row = <T extends Trigger>(t: Transition<T>): Transition<T> => t;
const paysReserved = (data: EventData<'payment.completed'>, order: Reserved) =>
  data.amountCents === order.totalCents && data.currency === order.currency;

export const lifecycle = {
  reserved: row({
    on: 'inventory.reserved',
    from: ['PENDING'],
    to: 'RESERVED',
    facts: (d) => ({ totalCents: d.totalCents, currency: d.currency }),
  }),
  out_of_stock: row({
    on: 'inventory.rejected',
    when: (d) => d.reason === 'out_of_stock',
    from: ['PENDING'],
    to: 'REJECTED',
    emits: 'order.rejected',
    reason: 'out_of_stock',
  }),
  unknown_product: row({
    on: 'inventory.rejected',
    when: (d) => d.reason === 'unknown_product',
    from: ['PENDING'],
    to: 'REJECTED',
    emits: 'order.rejected',
    reason: 'unknown_product',
  }),
  paid: row({
    on: 'payment.completed',
    when: paysReserved,
    from: ['RESERVED'],
    early: ['PENDING'],
    to: 'CONFIRMED',
    emits: 'order.confirmed',
  }),
  payment_mismatch: row({
    on: 'payment.completed',
    when: (d, order) => !paysReserved(d, order),
    from: ['RESERVED'],
    early: ['PENDING'],
    to: 'CANCELLED',
    emits: 'order.cancelled',
    reason: 'payment_mismatch',
    compensates: true,
  }),
  payment_declined: row({
    on: 'payment.failed',
    from: ['RESERVED'],
    early: ['PENDING'],
    to: 'REJECTED',
    emits: 'order.rejected',
    reason: 'payment_declined',
  }),
  dispatched: row({
    on: 'shipment.dispatched',
    from: ['CONFIRMED'],
    early: ['PENDING', 'RESERVED'],
    to: 'SHIPPED',
    facts: (d) => ({ carrier: d.carrier, trackingNumber: d.trackingNumber }),
    emits: 'order.shipped',
  }),
  delivered: row({
    on: 'shipment.delivered',
    from: ['SHIPPED'],
    early: ['PENDING', 'RESERVED', 'CONFIRMED'],
    to: 'DELIVERED',
    emits: 'order.delivered',
  }),
  customer_request: row({
    on: 'cancel request',
    from: ['PENDING', 'RESERVED', 'CONFIRMED'],
    to: 'CANCELLED',
    emits: 'order.cancelled',
    reason: 'customer_request',
    compensates: true,
  }),
  saga_timeout: row({
    on: 'step deadline',
    from: ['PENDING', 'RESERVED', 'CONFIRMED'],
    to: 'CANCELLED',
    emits: 'order.cancelled',
    reason: 'saga_timeout',
    compensates: true,
  }),
};

export type Outcome = keyof typeof lifecycle;
export const outcomes = Object.keys(lifecycle) as Outcome[];
