import { notificationKinds } from '@orderly/events';
import type { ApiDocs } from '@orderly/platform';
import { z } from 'zod';

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
  },
};
