import type { EventData } from '@orderly/events';
import type { Handlers } from '@orderly/platform';
import { insertNotification } from '../store/notification-store.js';

/** notification.requested, for the stored log that GET /notifications reads. */
export const logChannel: Handlers = {
  'notification.requested': ({ data }, tx) => insertNotification(tx, data as EventData<'notification.requested'>),
};
