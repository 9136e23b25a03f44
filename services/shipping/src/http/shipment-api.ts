import type { ApiDocs } from '@orderly/platform';
import { z } from 'zod';
import { shipmentStatuses } from '../domain/shipment.js';

const time = z.iso.datetime({ offset: true });
const shipment = z.strictObject({
  shipmentId: z.uuid(),
  orderId: z.uuid(),
  customerId: z.string().nullable(),
  carrier: z.string().nullable(),
  trackingNumber: z.string().nullable(),
  status: z.enum(shipmentStatuses),
  createdAt: time,
  updatedAt: time,
  history: z.array(z.strictObject({ status: z.enum(shipmentStatuses), at: z.string() })),
});

/** The shipping service's OpenAPI description (shipment-routes.ts). */
export const shipmentApi: ApiDocs = {
  title: 'Orderly shipping',
  description: 'Shipments of orders: a customer sees their own.',
  operations: {
    'GET /shipments': {
      summary: "An order's shipments",
      query: z.object({ orderId: z.uuid() }),
      responses: { 200: { description: 'The shipments (none if the order is not yours)', schema: z.array(shipment) } },
    },
    'GET /shipments/{id}': { summary: 'A shipment', responses: { 200: { description: 'The shipment', schema: shipment } } },
  },
};
