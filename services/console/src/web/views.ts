import { z } from 'zod';
import { deadLetterRow } from '../http/dead-letter-schemas.js';

/*
 * What the console's views answer, as zod schemas: the OpenAPI document is generated from them,
 * the handlers' types are inferred from them, and the services' answers are read through them, so
 * a field a service adds is dropped rather than passed on unannounced (the console shows what it
 * describes, and no more). Statuses and reasons stay strings: a status the order service adds
 * shows up as it is instead of making the console refuse the order.
 */

const time = z.iso.datetime({ offset: true });
const line = z.object({ sku: z.string(), qty: z.number().int() });

/** An order as the order service shows it (GET /orders/{id}). */
export const orderView = z.object({
  orderId: z.uuid(),
  customerId: z.string(),
  email: z.string(),
  status: z.string().describe("The order service's status: PENDING, RESERVED, CONFIRMED, SHIPPED, DELIVERED, REJECTED or CANCELLED"),
  reason: z.string().optional().describe('Why it was rejected or cancelled'),
  items: z.array(line),
  totalCents: z.number().int().optional(),
  currency: z.string().optional(),
  paymentMethod: z.string().optional(),
  createdAt: time,
  updatedAt: time,
});

/** One message of the order's timeline from audit's GET /orders/{id}/events: where and when, not its data (the page shows none). */
export const auditHop = z.object({
  id: z.uuid(),
  type: z.string(),
  kind: z.string(),
  source: z.string(),
  time,
  traceId: z.string().nullable(),
  causationId: z.string().nullable(),
  sincePreviousMs: z.number().nullable(),
});
export const timelineHop = auditHop.extend({
  traceUrl: z.string().optional().describe('The trace in the tracing UI (TRACE_URL_TEMPLATE)'),
});
export type TimelineHop = z.output<typeof timelineHop>;

/** The orchestrator's row of an order (GET /orders/{id}/saga; orchestration only). */
export const sagaView = z.object({
  orderId: z.uuid(),
  step: z.number().int(),
  state: z.string(),
  context: z.object({
    orderId: z.uuid(),
    customerId: z.string(),
    items: z.array(line),
    paymentMethod: z.string().optional(),
    totalCents: z.number().int().optional(),
    currency: z.string().optional(),
  }),
  deadlineAt: time.nullable(),
  updatedAt: time,
  stepName: z.string().nullable(),
  awaiting: z.array(z.string()),
});

/** A service's GET /admin/outbox: rows about a subject not yet published. */
export const outboxPending = z.object({ pending: z.array(z.object({ eventId: z.uuid(), type: z.string(), createdAt: time })) });
const pendingOutboxRow = z.object({ service: z.string(), eventId: z.uuid(), type: z.string(), createdAt: time });

const problems = z.array(z.string()).describe('Parts that could not be had (a service down): the page says so');

/** GET /api/orders/{id}/xray. */
export const xrayView = z.object({
  order: orderView,
  timeline: z.array(timelineHop),
  saga: sagaView.nullable(),
  pendingOutbox: z.array(pendingOutboxRow),
  deadLetters: z.array(deadLetterRow),
  problems,
});
export type Xray = z.output<typeof xrayView>;

/** The order service's GET /orders/stuck. */
export const stuckAnswer = z.array(z.object({ order: orderView, expectedNext: z.string() }));

/** GET /api/stuck. */
export const stuckView = z.object({
  items: z.array(
    z.object({
      order: orderView,
      expectedNext: z.string().describe('The step the saga waits for'),
      lastEvent: auditHop.pick({ id: true, type: true, source: true, time: true }).nullable().describe('Where it stopped'),
      deadLetters: z.array(deadLetterRow),
    }),
  ),
  olderThanS: z.number().int(),
  problems,
});
export type Stuck = z.output<typeof stuckView>;

/** GET /api/session. */
export const sessionView = z.object({
  operator: z.string(),
  email: z.string().optional(),
  expiresAt: time.optional(),
  stuckAfterS: z.number().int(),
  graphs: z.array(z.object({ title: z.string(), url: z.string() })),
});

/** GET /api/orders: a page of the order service's list. */
export const ordersPage = z.object({ items: z.array(orderView), next: z.string().optional().describe("The next page's cursor") });

/** The order service's GET /orders/stats, passed on (GET /api/orders/stats). */
export const orderCounts = z.object({ counts: z.record(z.string(), z.number().int()) });
