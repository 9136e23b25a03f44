import { type Envelope, envelopeSchema, findTextIssue, isMessageType, messages } from '@orderly/events';

/** Thrown by a handler for a message that no retry can fix: it is parked at once. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

/** The validated envelope and data; anything malformed (not JSON, a bad field, a lone surrogate or control character anywhere) throws. */
export function parseEvent(content: Buffer): Envelope {
  const json: unknown = JSON.parse(content.toString('utf8'));
  const issue = findTextIssue(json);
  if (issue) throw new PermanentError(`${issue.path}: ${issue.reason}`);
  const envelope = envelopeSchema.parse(json);
  if (!isMessageType(envelope.type)) throw new PermanentError(`unknown message type ${envelope.type.slice(0, 100)}`);
  return { ...envelope, data: messages[envelope.type].parse(envelope.data) };
}
