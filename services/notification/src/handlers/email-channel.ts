import type { EventData } from '@orderly/events';
import type { Handlers } from '@orderly/platform';
import type { Mailer } from '../adapters/mailer.js';

/** notification.requested, as an email: sent inside the handler's transaction, so a failed send is retried and a sent one is not repeated. */
export function emailChannel(mailer: Mailer): Handlers {
  return {
    'notification.requested': async ({ data }) => {
      const n = data as EventData<'notification.requested'>;
      await mailer.send({ to: n.email, subject: n.subject, body: n.body });
    },
  };
}
