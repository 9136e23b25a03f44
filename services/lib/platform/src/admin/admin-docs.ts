import { z } from 'zod';
import type { OperationDoc } from '../http/api-docs.js';
import { dryRunBody } from './admin-routes.js';

const dryRunAnswer = z.strictObject({
  outcome: z.enum(['would-succeed', 'would-fail', 'already-handled']),
  emitted: z.array(z.strictObject({ type: z.string(), subject: z.string(), data: z.unknown() })),
  error: z.string().optional(),
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
          pending: z.array(z.strictObject({ eventId: z.uuid(), type: z.string(), createdAt: z.iso.datetime({ offset: true }) })),
        }),
      },
    },
  },
};
