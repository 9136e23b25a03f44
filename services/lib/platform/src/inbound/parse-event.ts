import { envelopeSchema, findTextIssue, isMessageType } from '@orderly/events';
import { type Message, typedMessage } from './handlers.js';

/** Thrown by a handler for a message that no retry can fix: it is parked at once. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

/** The validated envelope and data; anything malformed (not JSON, a bad field, a lone surrogate or control character anywhere) throws. */
export function parseEvent(content: Buffer): Message {
  const json: unknown = JSON.parse(content.toString('utf8'));
  const issue = findTextIssue(json);
  if (issue) throw new PermanentError(`${issue.path}: ${issue.reason}`);
  const envelope = envelopeSchema.parse(json);
  if (!isMessageType(envelope.type)) throw new PermanentError(`unknown message type ${envelope.type.slice(0, 100)}`);
  return typedMessage(envelope, envelope.type);
}
