import { type EventType, producerOf, type ServiceName } from '@orderly/events';
import type { SagaMode } from '../saga/coordinator.js';
import { orderSaga } from '../saga/definition.js';
import type { Status } from './lifecycle.js';
import { awaitedReplies } from './lifecycle-rules.js';

/** What an order in a status waits for: the events that would move it on, and what they answer. */
export interface Expectation {
  events: EventType[];
  /** The service that produces them. */
  from: ServiceName;
  /** When they come, where that helps to find the hold-up. */
  when?: string;
}

/** The replies that no command asks for: shipping's timers send them. */
const timers: Partial<Record<Status, string>> = {
  CONFIRMED: "the shipment's dispatch timer fires",
  SHIPPED: "the shipment's delivery timer fires",
};

/**
 * Pure: what moves an order on from its status in a saga mode (docs/architecture.md, the order's
 * lifecycle): the replies the lifecycle table moves it on with; in orchestration also the saga
 * steps that run in that status. Undefined for a status nothing follows (DELIVERED, REJECTED, CANCELLED).
 */
export function expectedNext(status: Status, mode: SagaMode): Expectation | undefined {
  const events = awaitedReplies(status);
  if (events.length === 0) return undefined;
  const from = producerOf(events[0]!) as ServiceName;
  const steps = mode === 'orchestration' ? orderSaga.filter((s) => s.while === status) : [];
  const answered = steps.find((s) => events.every((e) => s.succeeded.includes(e) || s.failed.includes(e)));
  if (answered) return { events, from, when: `in reply to ${answered.command}` };
  const timer = timers[status];
  const after = steps.length > 0 ? `${steps.map((s) => s.command).join(' and ')} are answered` : undefined;
  const when = [after, timer].filter((w) => w !== undefined).join(' and ');
  return when ? { events, from, when: `once ${when}` } : { events, from };
}

/** As an operator reads it: "inventory.reserved or inventory.rejected from inventory, in reply to inventory.reserve". */
export function describeExpectation({ events, from, when }: Expectation): string {
  return `${events.join(' or ')} from ${from}${when ? `, ${when}` : ''}`;
}
