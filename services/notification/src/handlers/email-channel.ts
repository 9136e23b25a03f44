import type { Handlers } from '@orderly/platform';
import type { Mailer } from '../adapters/mailer.js';

/** What a dry run (POST /admin/dry-run) reports instead of sending. */
export const notSentInDryRun = 'email channel: not sent in a dry run';

/**
 * notification.requested, as an email: sent inside the handler's transaction, so a failed send is
 * retried and a sent one is not repeated. Never sent in a dry run, which rolls everything back.
 */
export function emailChannel(mailer: Mailer): Handlers {
  return {
    'notification.requested': async ({ data }, tx) => {
      await tx.outside(notSentInDryRun, () => mailer.send({ to: data.email, subject: data.subject, body: data.body }));
    },
  };
}
