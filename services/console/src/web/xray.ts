import { HttpProblem, notFound } from '@orderly/platform';
import type { z } from 'zod';
import type { deadLetterRow } from '../http/dead-letter-schemas.js';
import { type Answer, pipelineServices, type ServicesClient } from './services-client.js';
import { auditHop, orderView, outboxPending, sagaView, type TimelineHop, type Xray } from './views.js';

/** A parked (or resolved) message as the console's dead-letter store shows it. */
export type DeadLetterSummary = z.output<typeof deadLetterRow>;

/** The dead letters of some orders, newest first (the console's store). */
export type DeadLettersOf = (orderIds: string[]) => Promise<DeadLetterSummary[]>;

export interface XrayDeps {
  services: ServicesClient;
  deadLettersOf: DeadLettersOf;
  /** TRACE_URL_TEMPLATE, with {traceId}. */
  traceUrlTemplate?: string | undefined;
}

/** `https://jaeger.example/trace/{traceId}` → the hop's trace link. */
export function withTraceLinks(hops: TimelineHop[], template: string | undefined): TimelineHop[] {
  if (!template) return hops;
  return hops.map((h) => (h.traceId ? { ...h, traceUrl: template.replaceAll('{traceId}', encodeURIComponent(h.traceId)) } : h));
}

/** Everything known about one order, from every service that holds a part of it. */
export async function xrayOf({ services, deadLettersOf, traceUrlTemplate }: XrayDeps, orderId: string, token: string): Promise<Xray> {
  const id = encodeURIComponent(orderId);
  const problems: string[] = [];
  const usable = <T>(answer: Answer<T>, absentIs: number[] = [404]): T | undefined => {
    if (answer.ok) return answer.body;
    if (!absentIs.includes(answer.status)) problems.push(answer.error);
    return undefined;
  };
  const [order, events, saga, outboxes, deadLetters] = await Promise.all([
    services.get('order', `/orders/${id}`, token, orderView),
    services.get('audit', `/orders/${id}/events`, token, auditHop.array()),
    services.get('order', `/orders/${id}/saga`, token, sagaView),
    Promise.all(
      pipelineServices.map(async (service) => ({
        service,
        answer: await services.get(service, `/admin/outbox?subject=${id}`, token, outboxPending),
      })),
    ),
    deadLettersOf([orderId]).catch((err: Error) => {
      problems.push(`dead letters: ${err.message}`);
      return [];
    }),
  ]);
  if (!order.ok && order.status === 404) throw notFound(`order ${orderId}`);
  if (!order.ok) throw new HttpProblem(502, 'The order service did not answer', undefined, {}, { cause: new Error(order.error) });
  return {
    order: order.body,
    timeline: withTraceLinks(usable(events) ?? [], traceUrlTemplate),
    saga: usable(saga) ?? null,
    pendingOutbox: outboxes.flatMap(({ service, answer }) => (usable(answer, [])?.pending ?? []).map((row) => ({ service, ...row }))),
    deadLetters,
    problems,
  };
}
