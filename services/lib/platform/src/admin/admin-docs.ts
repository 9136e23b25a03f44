import { z } from 'zod';
import type { OperationDoc } from '../http/api-docs.js';
import { dryRunBody, parkedQuery, republishBody } from './admin-routes.js';

const dryRunAnswer = z.strictObject({
  outcome: z.enum(['would-succeed', 'would-fail', 'already-handled']),
  emitted: z.array(z.strictObject({ type: z.string(), subject: z.string(), data: z.unknown() })),
  error: z.string().optional(),
  next: z.enum(['parked', 'retried', 'waits']).optional(),
  skipped: z.array(z.string()).optional(),
});

/** The OpenAPI description of the admin routes every service serves (admin-routes.ts). */
export const adminOperations: Record<string, OperationDoc> = {
  'POST /admin/dry-run': {
    summary: "What this service's consumer would do with a message, without doing it",
    body: dryRunBody,
    responses: { 200: { description: 'The outcome and what it would emit', schema: dryRunAnswer } },
    problems: { 429: 'Too many dry runs at once (Retry-After says when to try again)' },
  },
  'GET /admin/outbox': {
    summary: 'Outbox rows not yet published for a subject',
    query: z.object({ subject: z.string().min(1).max(200) }),
    responses: {
      200: {
        description: 'The waiting rows, oldest first',
        schema: z.strictObject({
          pending: z.array(
            z.strictObject({
              eventId: z.uuid(),
              type: z.string(),
              createdAt: z.iso.datetime({ offset: true }),
              parked: z.strictObject({ reason: z.string(), at: z.iso.datetime({ offset: true }) }).optional(),
            }),
          ),
        }),
      },
    },
  },
  'GET /admin/outbox/parked': {
    summary: 'Outbox rows the broker would not take, with its reason (all subjects, or one)',
    query: parkedQuery,
    responses: {
      200: {
        description: 'The parked rows, oldest first (at most 500)',
        schema: z.strictObject({
          parked: z.array(
            z.strictObject({
              id: z.number().int(),
              eventId: z.uuid(),
              exchange: z.string(),
              type: z.string(),
              subject: z.string().nullable(),
              reason: z.string(),
              createdAt: z.iso.datetime({ offset: true }),
              parkedAt: z.iso.datetime({ offset: true }),
            }),
          ),
        }),
      },
    },
  },
  'POST /admin/outbox/parked/republish': {
    summary: 'Hand parked outbox rows back to the relay (these ids, or all); one still refused is parked again',
    body: republishBody,
    responses: { 200: { description: 'How many rows were handed back', schema: z.strictObject({ republished: z.number().int() }) } },
  },
};
