import { type EventType, producerOf, type ServiceName } from '@orderly/events';
import type { SagaMode } from '../saga/coordinator.js';
import { orderSaga } from '../saga/definition.js';
import type { Status } from './status.js';

/** What an order in a status waits for: the events that would move it on, and what they answer. */
export interface Expectation {
  events: EventType[];
  /** The service that produces them. */
  from: ServiceName;
  /** When they come, where that helps to find the hold-up. */
  when?: string;
}

const sagaStep = (name: string) => orderSaga.find((s) => s.name === name)!;

/** In orchestration a step's replies answer its command; the saga row says which step it is at. */
const replyTo = (name: string): Expectation => {
  const step = sagaStep(name);
  const events = [...step.succeeded, ...step.failed];
  return { events, from: producerOf(events[0]!) as ServiceName, when: `in reply to ${step.command}` };
};

const shipping = {
  CONFIRMED: { events: ['shipment.dispatched'], from: 'shipping', when: 'once the shipment is created and its dispatch timer fires' },
  SHIPPED: { events: ['shipment.delivered'], from: 'shipping', when: 'once its delivery timer fires' },
} satisfies Partial<Record<Status, Expectation>>;

/**
 * Pure: what moves an order on from its status in a saga mode (docs/architecture.md, the order's
 * journey); undefined for a status nothing follows (DELIVERED, REJECTED, CANCELLED).
 */
export function expectedNext(status: Status, mode: SagaMode): Expectation | undefined {
  switch (status) {
    case 'PENDING':
      return mode === 'orchestration' ? replyTo('reserve') : { events: ['inventory.reserved', 'inventory.rejected'], from: 'inventory' };
    case 'RESERVED':
      return mode === 'orchestration' ? replyTo('charge') : { events: ['payment.completed', 'payment.failed'], from: 'payment' };
    case 'CONFIRMED':
      return mode === 'orchestration'
        ? {
            ...shipping.CONFIRMED,
            when: `once ${sagaStep('commit').command} and ${sagaStep('ship').command} are answered and the dispatch timer fires`,
          }
        : shipping.CONFIRMED;
    case 'SHIPPED':
      return shipping.SHIPPED;
    default:
      return undefined;
  }
}

/** As an operator reads it: "inventory.reserved or inventory.rejected from inventory, in reply to inventory.reserve". */
export function describeExpectation({ events, from, when }: Expectation): string {
  return `${events.join(' or ')} from ${from}${when ? `, ${when}` : ''}`;
}
