import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/** CloudEvents 1.0 structured envelope, with Orderly's two extension attributes. */
export const envelopeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.uuid(),
  source: z.string().regex(/^orderly\/[a-z-]+$/),
  type: z.string().min(1).max(100),
  subject: z.string().min(1).max(200),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal('application/json').optional(),
  correlationid: z.string().min(1).max(200),
  causationid: z.string().min(1).max(200).optional(),
  data: z.unknown(),
});

export type Envelope = z.infer<typeof envelopeSchema>;

export interface Cause {
  id: string;
  correlationid: string;
}

let lastMicros = 0;

/**
 * Now, in microseconds (RFC 3339 allows any fraction), strictly increasing within a process: the
 * messages one transaction emits in the same millisecond (an order and its saga's first command)
 * keep the order they were emitted in on every timeline that sorts by time.
 */
export function envelopeTime(nowMs = Date.now()): string {
  lastMicros = Math.max(nowMs * 1000, lastMicros + 1);
  const iso = new Date(Math.floor(lastMicros / 1000)).toISOString();
  return `${iso.slice(0, -1)}${String(lastMicros % 1000).padStart(3, '0')}Z`;
}

export function newEnvelope(source: string, type: string, subject: string, data: unknown, cause?: Cause): Envelope {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: `orderly/${source}`,
    type,
    subject,
    time: envelopeTime(),
    datacontenttype: 'application/json',
    correlationid: cause?.correlationid ?? subject,
    ...(cause ? { causationid: cause.id } : {}),
    data,
  };
}
