import type { ApiDocs } from '@orderly/platform';
import { z } from 'zod';

const time = z.iso.datetime({ offset: true });

/** The audit service's OpenAPI description (activity-routes.ts): operators only. */
export const activityApi: ApiDocs = {
  title: 'Orderly audit',
  description: 'The activity log: every event and command, per order and as a CSV export (operators).',
  operations: {
    'GET /orders/{id}/events': {
      summary: "An order's messages in causal order",
      responses: {
        200: {
          description: 'The timeline',
          schema: z.array(
            z.strictObject({
              id: z.uuid(),
              type: z.string(),
              kind: z.string(),
              source: z.string(),
              time,
              traceId: z.string().nullable(),
              causationId: z.string().nullable(),
              data: z.unknown(),
              sincePreviousMs: z.number().nullable(),
            }),
          ),
        },
      },
    },
    'GET /events.csv': {
      summary: 'Every message in a time range, as CSV',
      query: z.object({ from: time.optional(), to: time.optional() }),
      responses: {
        200: {
          description: 'The export (streamed; a failure mid-way cuts the connection)',
          types: ['text/csv; charset=utf-8'],
          headers: { 'Content-Disposition': 'attachment; filename="orderly-activity.csv"' },
        },
      },
      problems: { 503: 'Too many exports running (Retry-After says when to try again)' },
    },
  },
};
