import { HttpProblem } from '@orderly/platform';
import pMap from 'p-map';
import type { ServicesClient } from './services-client.js';
import type { DeadLetterSummary, DeadLettersOf, TimelineHop } from './xray.js';

export interface StuckOrder {
  order: Record<string, unknown>;
  /** The step the saga waits for (from the order service). */
  expectedNext: unknown;
  /** The order's last message in the audit log: where it stopped. */
  lastEvent: Pick<TimelineHop, 'id' | 'type' | 'source' | 'time'> | null;
  deadLetters: DeadLetterSummary[];
}

export interface StuckDeps {
  services: ServicesClient;
  deadLettersOf: DeadLettersOf;
}

/**
 * Orders not terminal and not updated for olderThanS (the order service decides which), each with
 * its last audited message and its parked messages: the drill-down for the "orders not decided"
 * alert. Audit is asked once per order, a few at a time.
 */
export async function stuckOrders({ services, deadLettersOf }: StuckDeps, olderThanS: number, token: string) {
  const answer = await services.get<{ order: Record<string, unknown>; expectedNext: unknown }[] | { items: never[] }>(
    'order',
    `/orders/stuck?olderThanS=${olderThanS}`,
    token,
  );
  if (!answer.ok) throw new HttpProblem(502, 'The order service did not answer', undefined, {}, { cause: new Error(answer.error) });
  const stuck = Array.isArray(answer.body) ? answer.body : answer.body.items;
  const ids = stuck.map((s) => String(s.order.orderId));
  const problems: string[] = [];
  const [timelines, parked] = await Promise.all([
    // A page of stuck orders asks audit once per order: at most 8 at a time.
    pMap(ids, (id) => services.get<TimelineHop[]>('audit', `/orders/${encodeURIComponent(id)}/events`, token), { concurrency: 8 }),
    ids.length === 0
      ? Promise.resolve([])
      : deadLettersOf(ids).catch((err: Error) => {
          problems.push(`dead letters: ${err.message}`);
          return [];
        }),
  ]);
  const items: StuckOrder[] = stuck.map((s, i) => {
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
