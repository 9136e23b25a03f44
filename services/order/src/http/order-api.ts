import { cancellationReasons, rejectionReasons } from '@orderly/events';
import type { ApiDocs } from '@orderly/platform';
import { z } from 'zod';
import { statuses } from '../domain/lifecycle.js';
import { idempotencyKeySchema, placeOrderBody, placeOrderSchema } from '../domain/order-request.js';
import { operatorListQuery } from './order-list-query.js';

const time = z.iso.datetime({ offset: true });
const status = z.enum(statuses);
/** An order as GET /orders/{id} shows it; fields without a value are absent, not null. */
export const orderView = z.strictObject({
  orderId: z.uuid(),
  customerId: z.string(),
  email: z.string(),
  status,
  reason: z.enum([...rejectionReasons, ...cancellationReasons]).optional(),
  items: z.array(z.strictObject({ sku: z.string(), qty: z.number().int() })),
  totalCents: z.number().int().optional(),
  currency: z.string().optional(),
  paymentMethod: z.string().optional(),
  createdAt: time,
  updatedAt: time,
});
const customerListQuery = z.object({ customerId: z.string().min(1).optional(), limit: z.number().int().min(1).max(500).default(100) });

/** The order service's OpenAPI description (order-routes.ts, operator-routes.ts). */
export const orderApi: ApiDocs = {
  title: 'Orderly order',
  description:
    "Place, follow and cancel orders. POST /orders honours an Idempotency-Key header (per customer). A customer's token supplies customerId and email; an operator names them.",
  operations: {
    'POST /orders': {
      summary: 'Place an order',
      description: 'Accepted at once; the saga decides it. The same Idempotency-Key with the same body answers the first order again.',
      headers: {
        'Idempotency-Key': {
          description: 'Makes a retried POST place one order (kept per customer for a while)',
          schema: idempotencyKeySchema,
        },
      },
      body: { variants: { 'a customer (customerId and email from the token)': placeOrderBody, 'an operator': placeOrderSchema } },
      responses: {
        202: {
          description: 'Placed (or placed before with this key)',
          schema: z.strictObject({ orderId: z.uuid(), status }),
          headers: { Location: 'The order' },
        },
      },
      problems: { 409: 'The Idempotency-Key was used with another body (the idempotency-key-reused problem type)' },
    },
    'GET /orders/{id}': { summary: 'Read an order', responses: { 200: { description: 'The order', schema: orderView } } },
    'POST /orders/{id}/cancel': {
      summary: 'Cancel an order not yet shipped',
      responses: { 200: { description: 'Cancelled', schema: orderView } },
      problems: { 409: 'Too late to cancel (the state-conflict problem type, with status_of_order)' },
    },
    'GET /orders': {
      summary: "List orders: a customer's own, or (operators) any, filtered",
      description: 'A customer lists their own (customerId and limit only). An operator may filter; the next page is in the Link header.',
      query: z.union([customerListQuery, operatorListQuery]),
      responses: {
        200: { description: 'Newest first', schema: z.array(orderView), headers: { Link: 'The next page (rel="next"), for operators' } },
      },
    },
    'GET /orders/stats': {
      summary: 'Orders per status (operators)',
      responses: {
        200: {
          description: 'Counts',
          schema: z.strictObject({ counts: z.strictObject(Object.fromEntries(statuses.map((s) => [s, z.number().int()]))) }),
        },
      },
    },
    'GET /orders/stuck': {
      summary: 'Orders that stopped moving (operators)',
      query: z.object({
        olderThanS: z.number().int().min(0).max(31_536_000).optional(),
        limit: z.number().int().min(1).max(500).default(100),
      }),
      responses: {
        200: { description: 'Oldest first', schema: z.array(z.strictObject({ order: orderView, expectedNext: z.string() })) },
      },
    },
    'GET /orders/{id}/saga': {
      summary: "An order's saga row (operators, orchestration)",
      responses: {
        200: {
          description: 'The saga',
          schema: z.strictObject({
            orderId: z.uuid(),
            step: z.number().int(),
            state: z.enum(['running', 'completed', 'failed', 'cancelled', 'timed_out']),
            context: z.looseObject({}),
            deadlineAt: time.nullable(),
            updatedAt: time,
            stepName: z.string().nullable(),
            awaiting: z.array(z.string()),
          }),
        },
      },
    },
  },
};
