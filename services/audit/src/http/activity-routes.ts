import { finished, type Readable } from 'node:stream';
import Router from '@koa/router';
import { type Database, HttpProblem, type Logger, notFound, type Pool, parseOr400, requireOperator } from '@orderly/platform';
import { z } from 'zod';
import { timeline } from '../domain/timeline.js';
import { activityCsv } from '../store/activity-csv.js';
import { messagesOf } from '../store/activity-store.js';

const orderParam = z.object({ id: z.uuid('must be an order id (uuid)') });
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 timestamp with a time zone, e.g. 2025-01-31T12:00:00Z' });
const exportQuery = z
  .strictObject({ from: instant.optional(), to: instant.optional() })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { message: 'must not be before from', path: ['to'] });

export interface ActivityRoutesOptions {
  /** Connections for the CSV exports (not pipelined: they stream through a cursor). */
  exportPool: Pool;
  exportBatchRows: number;
  exportMaxConcurrent: number;
  exportTimeLimitMs: number;
  logger: Logger;
}

export function activityRoutes(
  db: Database,
  { exportPool, exportBatchRows, exportMaxConcurrent, exportTimeLimitMs, logger }: ActivityRoutesOptions,
): Router {
  const router = new Router();
  let exporting = 0;
  // The activity log holds every customer's messages, emails included: operators only.
  router.use((ctx, next) => {
    requireOperator(ctx);
    return next();
  });

  router.get('/orders/:id/events', async (ctx) => {
    const { id } = parseOr400(orderParam, ctx.params);
    const messages = await messagesOf(db.pool, id);
    if (messages.length === 0) throw notFound(`events of order ${id}`);
    ctx.body = timeline(messages);
  });

  router.get('/events.csv', async (ctx) => {
    const range = parseOr400(exportQuery, ctx.query);
    if (exporting >= exportMaxConcurrent) {
      ctx.set('Retry-After', '10');
      throw new HttpProblem(503, 'Busy', `${exporting} exports are running; try again shortly`);
    }
    exporting += 1;
    let csv: Readable;
    try {
      csv = await activityCsv(exportPool, range, exportBatchRows, exportTimeLimitMs, (err) => {
        if ((err as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') return; // the client went away
        logger.error({ err }, 'CSV export failed mid-way');
        // The header is sent already: cut the connection so the client cannot take a partial export for a whole one.
        ctx.res.destroy(new HttpProblem(500, 'Export failed', undefined, {}, { cause: err }));
      });
    } catch (err) {
      exporting -= 1;
      throw err;
    }
    finished(csv, () => {
      exporting -= 1;
    });
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('Content-Disposition', 'attachment; filename="orderly-activity.csv"');
    ctx.body = csv;
  });

  return router;
}
