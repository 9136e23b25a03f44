import { orderlyHeaders } from '@orderly/events';
import { PermanentError } from './parse-event.js';

/**
 * Why a delivery is parked before anything reads it: its headers could not be decoded (the frame
 * guard put `x-orderly-undecodable` in their place), or its body is larger than the service takes
 * (MESSAGE_MAX_BYTES) and is not parsed at all. Undefined: go on to admit() it.
 */
export function unreadable(content: Buffer, headers: Record<string, unknown>, maxBytes: number): PermanentError | undefined {
  const undecodable = headers[orderlyHeaders.undecodable];
  if (typeof undecodable === 'string') return new PermanentError(undecodable.slice(0, 300));
  if (content.length > maxBytes)
    return new PermanentError(`too large: ${content.length} bytes, the limit is ${maxBytes} (MESSAGE_MAX_BYTES)`);
  return undefined;
}
