import { createHash } from 'node:crypto';
import { orderlyHeaders } from '@orderly/events';
import { canonicalJson, jsonSafe, safeText } from './json-safe.js';

/** A message as the keeper took it from `<queue>.dlq`. */
export interface Delivery {
  /** The queue it was parked from (the DLQ's name without `.dlq`). */
  queue: string;
  content: Buffer;
  properties: { messageId?: unknown; type?: unknown; userId?: unknown; headers?: unknown };
}

/** What is known of a parked message: where, what, for which order, why, after how many attempts, from whom. */
export type ParkedFacts = {
  queue: string;
  messageId: string | null;
  type: string | null;
  orderId: string | null;
  error: string;
  attempts: number | null;
  publishedBy: string | null;
};

/** What the dead_letters table keeps of a parked message. */
export interface ParkedMessage extends ParkedFacts {
  /** The body's size as delivered; more than body.length when only a preview is kept. */
  bodyBytes: number;
  /** Identifies the delivery, so a redelivery (the keeper stopped between insert and ack) finds its row. */
  deliveryKey: string;
  failedAt: Date;
  /** Redrives this message had before it was parked this time. */
  redrives: number;
  headers: Record<string, unknown>;
  body: Buffer;
  /** A redriven copy its consumer refused (decision 0024): who sent it, and whom it claimed to come from. */
  refusedRedrive?: { sentBy: string; claimedPublisher: string };
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const asUuid = (v: unknown) => (typeof v === 'string' && uuid.test(v) ? v.toLowerCase() : null);
const textOr = (v: unknown, max: number) => (typeof v === 'string' && v !== '' ? safeText(v, max) : null);
const count = (v: unknown, max: number) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max ? v : null);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);

/** The earliest time a park can have happened: anything before (or not a time at all) is not believed. */
const earliest = Date.parse('2000-01-01T00:00:00Z');
/** A time in ms if it is one a park can have happened at (from 2000 to now, what a clock skew allows aside), else undefined:
 * an out-of-range time made every insert of the message fail, which jammed its DLQ. */
const plausible = (ms: number, now: Date) =>
  Number.isFinite(ms) && ms >= earliest && ms <= now.getTime() + 60_000 ? new Date(ms) : undefined;

/** A broker-written timestamp (amqplib: `{ '!': 'timestamp', value: seconds }`), or undefined. */
function brokerTime(v: unknown, now: Date): Date | undefined {
  if (isRecord(v) && v['!'] === 'timestamp' && typeof v.value === 'number') return plausible(v.value * 1000, now);
  return undefined;
}

/** An ISO time the consumer wrote, if it is one and plausible. */
function consumerTime(v: unknown, now: Date): Date | undefined {
  if (typeof v !== 'string' || v.length > 40) return undefined;
  return plausible(Date.parse(v), now);
}

/** What is kept of a body over the size limit: enough to see what it was. */
export const bodyPreviewBytes = 4_096;

/** The envelope's fields a search needs, when the body is a JSON envelope at all. */
function envelopeOf(content: Buffer): { id?: unknown; type?: unknown; subject?: unknown; orderId?: unknown } {
  try {
    const json: unknown = JSON.parse(content.toString('utf8'));
    if (!isRecord(json)) return {};
    return { id: json.id, type: json.type, subject: json.subject, orderId: isRecord(json.data) ? json.data.orderId : undefined };
  } catch {
    return {};
  }
}

/**
 * Describes a parked message. Two ways in: the consumer parks a copy with `x-orderly-error`,
 * `-attempts`, `-failed-at` and `-published-by` (it drops any `x-death`); the broker dead-letters a
 * message that reached the delivery limit with `x-death` and whatever headers its publisher set,
 * so then only the broker's own facts are believed (its time, its reason, the verified user_id).
 */
export function describeParked(delivery: Delivery, now = new Date(), maxBodyBytes = Number.POSITIVE_INFINITY): ParkedMessage {
  const raw = isRecord(delivery.properties.headers) ? delivery.properties.headers : {};
  const headers = jsonSafe(raw) as Record<string, unknown>;
  // A body over the limit is neither parsed nor kept whole: a preview and its size.
  const tooLarge = delivery.content.length > maxBodyBytes;
  const envelope = tooLarge ? {} : envelopeOf(delivery.content);
  const deaths = Array.isArray(raw['x-death']) ? raw['x-death'].filter(isRecord) : [];
  const death = deaths[0];
  const redrives = count(raw[orderlyHeaders.redrives], 1_000_000) ?? 0;
  const common = {
    deliveryKey: deliveryKey(delivery),
    queue: delivery.queue,
    messageId: textOr(delivery.properties.messageId, 200) ?? textOr(envelope.id, 200),
    type: textOr(delivery.properties.type, 200) ?? textOr(envelope.type, 200),
    orderId: asUuid(envelope.orderId) ?? asUuid(envelope.subject),
    redrives,
    headers,
    body: tooLarge ? delivery.content.subarray(0, bodyPreviewBytes) : delivery.content,
    bodyBytes: delivery.content.length,
  };
  if (death) {
    const reason = textOr(death.reason, 100) ?? 'unknown reason';
    const from = textOr(death.queue, 200) ?? delivery.queue;
    const lastError = textOr(raw[orderlyHeaders.error], 1_000);
    return {
      ...common,
      error: `dead-lettered by the broker: ${reason} in ${from}${lastError ? ` (the last retry said: ${lastError})` : ''}`,
      attempts: null,
      publishedBy: textOr(delivery.properties.userId, 200),
      failedAt: brokerTime(death.time, now) ?? now,
    };
  }
  // Only the queue's consumer writes its dead-letter exchange: its marks are believed here.
  const publishedBy = textOr(raw[orderlyHeaders.publishedBy], 200);
  const claimedPublisher = textOr(raw[orderlyHeaders.refusedRedrive], 200);
  return {
    ...common,
    error:
      textOr(raw[orderlyHeaders.error], 4_096) ??
      // Its headers could not be decoded (the platform's frame guard put this in their place).
      textOr(raw[orderlyHeaders.undecodable], 300) ??
      (tooLarge ? `too large: ${delivery.content.length} bytes` : 'parked without a reason'),
    attempts: count(raw[orderlyHeaders.attempts], 1_000_000),
    publishedBy,
    failedAt: consumerTime(raw[orderlyHeaders.failedAt], now) ?? now,
    ...(claimedPublisher ? { refusedRedrive: { sentBy: publishedBy ?? 'unknown', claimedPublisher } } : {}),
  };
}

/**
 * A hash of everything the broker delivered but the redelivery count: the same delivery again gives
 * the same key, and a message parked twice (another failed-at, another x-death) another. Nothing a
 * publisher writes can make two different parks collide.
 */
export function deliveryKey({ queue, content, properties }: Delivery): string {
  const { 'x-delivery-count': _redelivered, ...headers } = isRecord(properties.headers) ? properties.headers : {};
  const described = canonicalJson(
    jsonSafe({ queue, messageId: properties.messageId, type: properties.type, userId: properties.userId, headers }),
  );
  return createHash('sha256').update(described).update('\u0000').update(content).digest('base64url');
}

/**
 * What is recorded of a parked message whose full description the table refused (a value no
 * check above foresaw): only what is certain to fit, with why. The message is not lost and its
 * DLQ not jammed; the body is kept (a preview when it is too large) for an operator to look at.
 */
export function describeUnrecordable(
  delivery: Delivery,
  why: string,
  now = new Date(),
  maxBodyBytes = Number.POSITIVE_INFINITY,
): ParkedMessage {
  const tooLarge = delivery.content.length > maxBodyBytes;
  return {
    deliveryKey: deliveryKey(delivery),
    queue: delivery.queue,
    messageId: null,
    type: null,
    orderId: null,
    error: `recorded in part, the rest could not be stored: ${safeText(why, 1_000)}`,
    attempts: null,
    publishedBy: null,
    failedAt: now,
    redrives: 0,
    headers: {},
    body: tooLarge ? delivery.content.subarray(0, bodyPreviewBytes) : delivery.content,
    bodyBytes: delivery.content.length,
  };
}
