import type { ApiDocs } from '@orderly/platform';
import { z } from 'zod';

const time = z.iso.datetime({ offset: true });
const payment = z.strictObject({
  orderId: z.uuid(),
  paymentId: z.uuid(),
  status: z.enum(['captured', 'declined', 'voided', 'refunded']),
  amountCents: z.number().int(),
  currency: z.string(),
  method: z.string().nullable(),
  createdAt: time,
  updatedAt: time,
});

/** The payment service's OpenAPI description (payment-routes.ts): operators only. */
export const paymentApi: ApiDocs = {
  title: 'Orderly payment',
  description: 'Payments of orders, for operators.',
  operations: {
    'GET /payments': {
      summary: "An order's payments",
      query: z.object({ orderId: z.uuid() }),
      responses: { 200: { description: 'The payments', schema: z.array(payment) } },
    },
    'GET /payments/{orderId}': { summary: "An order's payment", responses: { 200: { description: 'The payment', schema: payment } } },
  },
};
