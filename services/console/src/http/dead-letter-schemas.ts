import { consumerQueues, sagaModes } from '@orderly/events';
import { z } from 'zod';
import { deadLetterStatuses } from '../store/dead-letter-filter.js';

/** Every consumer queue of either saga mode: a dead letter recorded in one mode stays searchable in the other. */
const queueNames = [...new Set(sagaModes.flatMap((m) => consumerQueues(m).map((q) => q.queue)))].sort() as [string, ...string[]];

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 timestamp with a time zone, e.g. 2025-01-31T12:00:00Z' });
const filterFields = {
  queue: z.enum(queueNames, { message: `must be one of ${queueNames.join(', ')}` }).optional(),
  type: z.string().min(1).max(200).optional(),
  orderId: z.uuid('must be an order id (uuid)').optional(),
  /** Text the error contains (case-insensitive; % and _ are plain characters). */
  q: z.string().min(1).max(200).optional(),
  /** Parked at or after. */
  since: instant.optional(),
  /** Parked before. */
  until: instant.optional(),
};
const sinceBeforeUntil = (f: { since?: string | undefined; until?: string | undefined }) =>
  !f.since || !f.until || Date.parse(f.since) <= Date.parse(f.until);
const orderedRange = { message: 'must not be before since', path: ['until'] };

export const filterSchema = z.strictObject(filterFields).refine(sinceBeforeUntil, orderedRange);

export const searchQuery = z
  .strictObject({
    ...filterFields,
    status: z.enum(deadLetterStatuses).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    /** The `next` of the previous page. */
    cursor: z.string().min(1).max(200).optional(),
  })
  .refine(sinceBeforeUntil, orderedRange);

export const idParam = z.object({ id: z.uuid('must be a dead letter id (uuid)') });

const reason = z.string().trim().min(1, 'must not be empty').max(1000);
const selection = {
  /** These parked messages. */
  ids: z.array(z.uuid()).min(1).max(1000).optional(),
  /** Every parked message matching (an empty filter matches all of them). */
  filter: filterSchema.optional(),
};
const oneSelection = (b: { ids?: unknown; filter?: unknown }) => (b.ids === undefined) !== (b.filter === undefined);
const oneSelectionProblem = { message: 'give either ids or filter (one of them)', path: ['ids'] };

export const redriveBody = z.strictObject({ ...selection, reason: reason.optional() }).refine(oneSelection, oneSelectionProblem);
export const discardBody = z.strictObject({ ...selection, reason }).refine(oneSelection, oneSelectionProblem);

const time = z.iso.datetime({ offset: true });

/** A dead letter as a list shows it (the store's row): what was parked, where, why and what became of it. */
export const deadLetterRow = z.object({
  id: z.uuid(),
  queue: z.string(),
  messageId: z.string().nullable(),
  type: z.string().nullable(),
  orderId: z.uuid().nullable(),
  error: z.string(),
  attempts: z.number().int().nullable(),
  publishedBy: z.string().nullable().describe('The broker user that published it, as verified'),
  failedAt: time,
  recordedAt: time,
  status: z.enum(deadLetterStatuses),
  redrives: z.number().int(),
  resolvedBy: z.string().nullable(),
  resolvedAt: time.nullable(),
  reason: z.string().nullable(),
});

/** One dead letter in full: the headers and body it was parked with. */
export const deadLetterDetail = deadLetterRow.extend({
  // A map, not fields: the names and values are whatever its publisher set (any JSON value).
  headers: z
    .record(z.string(), z.unknown())
    .describe('The AMQP headers it was parked with, as JSON (byte arrays as { bytes: base64 }, at most 64 per level, 6 levels deep)'),
  body: z.string(),
  bodyEncoding: z.enum(['utf8', 'base64']),
  bodyBytes: z.number().int().describe('The size of the body as parked, in bytes'),
  bodyTruncated: z.boolean().describe('True when only the first 4 KiB of a body over MESSAGE_MAX_BYTES was kept'),
});

/** GET /api/dead-letters. */
export const deadLetterPage = z.object({
  items: z.array(deadLetterRow),
  next: z.string().optional().describe("The following page's cursor"),
});
