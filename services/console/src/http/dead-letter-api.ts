import { adminOperations, type OperationDoc } from '@orderly/platform';
import { z } from 'zod';
import { deadLetterDetail, deadLetterPage, filterSchema, searchQuery } from './dead-letter-schemas.js';

const ids = z.array(z.uuid()).min(1).max(1000);
const reason = z.string().min(1).max(1000);
/** "ids or filter, exactly one": each variant requires its own and has no room for the other. */
const chosen = (reasonRequired: boolean) => {
  const r = reasonRequired ? reason : reason.optional();
  return {
    variants: {
      'chosen by ids': z.strictObject({ ids, reason: r }),
      'chosen by filter': z.strictObject({ filter: filterSchema, reason: r }),
    },
  };
};

/** The console's dead-letter API (dead-letter-routes.ts): operators only. */
export const deadLetterOperations: Record<string, OperationDoc> = {
  'GET /api/dead-letters': {
    summary: 'Search parked messages',
    query: searchQuery,
    responses: {
      200: { description: 'A page, newest first; next is the cursor of the following one', schema: deadLetterPage },
    },
  },
  'GET /api/dead-letters/{id}': {
    summary: 'A parked message with its body',
    responses: {
      200: {
        description: 'The message; of a body over MESSAGE_MAX_BYTES only its first 4 KiB (bodyTruncated, bodyBytes its size)',
        schema: deadLetterDetail,
      },
    },
  },
  'POST /api/dead-letters/{id}/dry-run': {
    summary: "What the owner's consumer would do with it now",
    responses: { 200: adminOperations['POST /admin/dry-run']!.responses[200]! },
    problems: { 409: 'No service consumes its queue (state-conflict)', 429: 'Too many dry runs at the owner' },
  },
  'POST /api/dead-letters/redrive': {
    summary: 'Send parked messages back to their queues',
    body: chosen(false),
    responses: {
      200: { description: 'Redriven', schema: z.strictObject({ redriven: z.number().int() }) },
      202: {
        description: 'Recorded, some not yet confirmed by the broker: the console sends the rest',
        schema: z.strictObject({ redriven: z.number().int(), pending: z.number().int() }),
      },
    },
  },
  'POST /api/dead-letters/discard': {
    summary: 'Discard parked messages, with a reason',
    body: chosen(true),
    responses: { 200: { description: 'Discarded', schema: z.strictObject({ discarded: z.number().int() }) } },
  },
};
