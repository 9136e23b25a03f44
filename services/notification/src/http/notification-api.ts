import { notificationKinds } from '@orderly/events';
import type { ApiDocs } from '@orderly/platform';
import { z } from 'zod';
import { parkedQuery } from './email-admin-routes.js';

const time = z.iso.datetime({ offset: true });

/** The notification service's OpenAPI description (notification-routes.ts). */
export const notificationApi: ApiDocs = {
  title: 'Orderly notification',
  description: 'The messages sent to customers: a customer reads their own.',
  operations: {
    'GET /notifications': {
      summary: 'Notifications of an order or a customer',
      description: 'Give orderId or customerId (a customer reads only their own).',
      query: z.object({ orderId: z.uuid().optional(), customerId: z.string().min(1).optional() }),
      responses: {
        200: {
          description: 'Newest first',
          schema: z.array(
            z.strictObject({
              id: z.uuid(),
              orderId: z.uuid(),
              customerId: z.string(),
              kind: z.enum(notificationKinds),
              subject: z.string(),
              body: z.string(),
              createdAt: time,
            }),
          ),
        },
      },
    },
    'GET /admin/emails/parked': {
      summary: 'Emails parked after their attempts (operators only)',
      description: 'Newest first, with the SMTP server’s last answer.',
      query: parkedQuery,
      responses: {
        200: {
          description: 'The parked emails',
          schema: z.strictObject({
            parked: z.array(
              z.strictObject({
                id: z.uuid(),
                orderId: z.uuid(),
                customerId: z.string(),
                email: z.string(),
                kind: z.enum(notificationKinds),
                subject: z.string(),
                attempts: z.number().int(),
                lastError: z.string().nullable(),
                createdAt: time,
                parkedAt: time,
              }),
            ),
          }),
        },
      },
    },
    'POST /admin/emails/{id}/retry': {
      summary: 'Send a parked email again now, with its attempts renewed (operators only)',
      responses: { 202: { description: 'Back in the outbox', schema: z.strictObject({ id: z.uuid(), status: z.literal('pending') }) } },
      problems: { 404: 'No parked email has this id' },
    },
  },
};
