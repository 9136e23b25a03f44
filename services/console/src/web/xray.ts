import { HttpProblem, notFound } from '@orderly/platform';
import { type Answer, pipelineServices, type ServicesClient } from './services-client.js';

/**
 * One message of the order's timeline as audit's GET /orders/:id/events returns it (the fields the
 * console reads; the others, its data and causation id, pass through), with a link to its trace
 * when a tracing UI is configured.
 */
export type TimelineHop = { id: string; type: string; source: string; time: string } & {
  traceId: string | null;
  sincePreviousMs: number | null;
  traceUrl?: string;
} & Record<string, unknown>;

/** A parked (or resolved) message as the console's dead-letter store shows it. */
export type DeadLetterSummary = { id: string; orderId: string | null } & Record<string, unknown>;

/** The dead letters of some orders, newest first (the console's store). */
export type DeadLettersOf = (orderIds: string[]) => Promise<DeadLetterSummary[]>;

export interface PendingOutboxRow {
  service: string;
  eventId: string;
  type: string;
  createdAt: string;
}

export interface Xray {
  order: Record<string, unknown>;
  timeline: TimelineHop[];
  saga: Record<string, unknown> | null;
  pendingOutbox: PendingOutboxRow[];
  deadLetters: DeadLetterSummary[];
  /** Parts that could not be had (a service down): the page says so instead of showing less as if complete. */
  problems: string[];
}

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
    services.get<Record<string, unknown>>('order', `/orders/${id}`, token),
    services.get<TimelineHop[]>('audit', `/orders/${id}/events`, token),
    services.get<Record<string, unknown>>('order', `/orders/${id}/saga`, token),
    Promise.all(
      pipelineServices.map(async (service) => ({
        service,
        answer: await services.get<{ pending: Omit<PendingOutboxRow, 'service'>[] }>(service, `/admin/outbox?subject=${id}`, token),
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
