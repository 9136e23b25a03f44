import type { ApiDocs } from '@orderly/platform';
import { z } from 'zod';
import { historyStatuses } from '../domain/history.js';
import { newCustomerSchema, profileSchema } from '../domain/profile.js';

const time = z.iso.datetime({ offset: true });
const profile = z.strictObject({
  customerId: z.string(),
  email: z.string(),
  name: z.string().optional(),
  phone: z.string().optional(),
  createdAt: time,
  updatedAt: time,
});
const entry = z.strictObject({
  orderId: z.uuid(),
  customerId: z.string().optional(),
  status: z.enum(historyStatuses),
  totalCents: z.number().int().optional(),
  currency: z.string().optional(),
  reason: z.string().optional(),
  placedAt: time,
  updatedAt: time,
});
const created = { description: 'Created', schema: profile, headers: { Location: 'The profile' } };

/** The customer service's OpenAPI description (customer-routes.ts). */
export const customerApi: ApiDocs = {
  title: 'Orderly customer',
  description: 'Customer profiles and order history.',
  operations: {
    'POST /customers': {
      summary: 'Create a profile',
      body: newCustomerSchema,
      responses: { 201: created },
      problems: { 409: 'It exists already (the state-conflict problem type)' },
    },
    'PUT /customers/{id}': {
      summary: 'Create or replace a profile',
      body: profileSchema,
      responses: { 200: { description: 'Replaced', schema: profile }, 201: created },
    },
    'GET /customers/{id}': { summary: 'Read a profile', responses: { 200: { description: 'The profile', schema: profile } } },
    'GET /customers/{id}/orders': {
      summary: "A customer's order history",
      query: z.object({ limit: z.number().int().min(1).max(500).default(100) }),
      responses: { 200: { description: 'Newest first', schema: z.array(entry) } },
    },
  },
};
