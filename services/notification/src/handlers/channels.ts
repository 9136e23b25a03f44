import type { EventData } from '@orderly/events';
import type { Handlers } from '@orderly/platform';
import type { Mailer } from '../mailer.js';

type Requested = EventData<'notification.requested'>;

/** The stored log, which GET /notifications reads: one row per order and kind. */
export const logChannel: Handlers = {
  'notification.requested': async ({ data }, tx) => {
    const n = data as Requested;
    await tx.query(
      `INSERT INTO notifications (id, order_id, customer_id, email, kind, subject, body, channel)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'log') ON CONFLICT (order_id, kind) DO NOTHING`,
      [n.notificationId, n.orderId, n.customerId, n.email, n.kind, n.subject, n.body],
    );
  },
};

/** Email: sent inside the handler's transaction, so a failed send is retried and a sent one is not repeated. */
export function emailChannel(mailer: Mailer): Handlers {
  return {
    'notification.requested': async ({ data }) => {
      const n = data as Requested;
      await mailer.send({ to: n.email, subject: n.subject, body: n.body });
    },
  };
}
