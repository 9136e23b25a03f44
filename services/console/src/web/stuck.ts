import { HttpProblem } from '@orderly/platform';
import pMap from 'p-map';
import type { ServicesClient } from './services-client.js';
import { auditHop, type Stuck, stuckAnswer } from './views.js';
import type { DeadLettersOf } from './xray.js';

export interface StuckDeps {
  services: ServicesClient;
  deadLettersOf: DeadLettersOf;
}

/**
 * Orders not terminal and not updated for olderThanS (the order service decides which), each with
 * its last audited message and its parked messages: the drill-down for the "orders not decided"
 * alert. Audit is asked once per order, a few at a time.
 */
export async function stuckOrders({ services, deadLettersOf }: StuckDeps, olderThanS: number, token: string): Promise<Stuck> {
  const answer = await services.get('order', `/orders/stuck?olderThanS=${olderThanS}`, token, stuckAnswer);
  if (!answer.ok) throw new HttpProblem(502, 'The order service did not answer', undefined, {}, { cause: new Error(answer.error) });
  const stuck = answer.body;
  const ids = stuck.map((s) => s.order.orderId);
  const problems: string[] = [];
  const [timelines, parked] = await Promise.all([
    // A page of stuck orders asks audit once per order: at most 8 at a time.
    pMap(ids, (id) => services.get('audit', `/orders/${encodeURIComponent(id)}/events`, token, auditHop.array()), { concurrency: 8 }),
    ids.length === 0
      ? Promise.resolve([])
      : deadLettersOf(ids).catch((err: Error) => {
          problems.push(`dead letters: ${err.message}`);
          return [];
        }),
  ]);
  const items = stuck.map((s, i) => {
    const timeline = timelines[i]!;
    if (!timeline.ok && timeline.status !== 404 && !problems.includes(timeline.error)) problems.push(timeline.error);
    const last = timeline.ok ? timeline.body.at(-1) : undefined;
    return {
      order: s.order,
      expectedNext: s.expectedNext,
      lastEvent: last ? { id: last.id, type: last.type, source: last.source, time: last.time } : null,
      deadLetters: parked.filter((d) => d.orderId === ids[i] && d.status === 'parked'),
    };
  });
  return { items, olderThanS, problems };
}
