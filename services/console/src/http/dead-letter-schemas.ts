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
