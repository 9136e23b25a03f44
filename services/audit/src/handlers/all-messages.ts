import { trace } from '@opentelemetry/api';
import type { AnyHandler, Handlers } from '@orderly/platform';
import { activityOf } from '../domain/activity.js';
import { insertActivity } from '../store/activity-store.js';

/** Every message, whatever its type: the consumer's span carries the trace the message travelled in. */
export const recordActivity: AnyHandler = async (message, tx) => {
  insertActivity(tx, activityOf(message, trace.getActiveSpan()?.spanContext().traceId));
};

export const allMessages: Handlers = { '*': recordActivity };
