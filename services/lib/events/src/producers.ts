import { commandTypes, type EventType, eventTypes, type MessageType } from './catalog.js';
import {
  consumerQueues,
  deadLetterExchange,
  deadLetterQueue,
  exchanges,
  type Producer,
  retryExchange,
  type ServiceName,
  type Subscription,
  servicePorts,
  type TopologyMode,
} from './topology.js';

/** Who publishes what, and so what each broker user may write: derived from the catalog and the topology. */

/** Where a message of a type is published: events by type, commands by name. */
export function routeOf(type: string): Subscription {
  if ((commandTypes as string[]).includes(type)) return { exchange: exchanges.commands, routingKey: type };
  return { exchange: exchanges.events, routingKey: type };
}

/** The first word of each event type, which names the service that emits it. */
type EventPrefix = EventType extends `${infer P}.${string}` ? P : never;
// The compiler insists that every prefix of the catalog has its producer here.
const eventProducers = {
  order: 'order',
  inventory: 'inventory',
  payment: 'payment',
  shipment: 'shipping',
  deadletter: 'console',
} as const satisfies Record<EventPrefix, Producer>;

/** Who publishes a message: an event, the service its type names; a command, the orchestrator (order). */
export function producerOf(type: MessageType): Producer {
  if ((commandTypes as string[]).includes(type)) return 'order';
  return eventProducers[type.slice(0, type.indexOf('.')) as EventPrefix];
}

/**
 * The exchanges each service publishes to in a mode — all a broker permission needs to let it
 * write: where its own messages go (routeOf), plus the retry and dead-letter exchange of each of
 * its own queues, because its consumer republishes a failed message there (they reach that
 * queue's retry queue and DLQ only). Commands are sent only in orchestration (and while a switch
 * finishes orchestrated sagas).
 */
export function publishers(mode: TopologyMode): Record<ServiceName, string[]> {
  const types: MessageType[] = mode !== 'choreography' ? [...eventTypes, ...commandTypes] : [...eventTypes];
  const out = Object.fromEntries(Object.keys(servicePorts).map((s) => [s, new Set<string>()])) as Record<ServiceName, Set<string>>;
  for (const type of types) {
    const producer = producerOf(type);
    // The console's rights are consoleAccess(): it also writes every queue's retry exchange.
    if (producer !== 'console') out[producer].add(routeOf(type).exchange);
  }
  for (const { service, queue } of consumerQueues(mode))
    out[service as ServiceName].add(retryExchange(queue)).add(deadLetterExchange(queue));
  return Object.fromEntries(Object.entries(out).map(([s, set]) => [s, [...set].sort()])) as Record<ServiceName, string[]>;
}

/**
 * What the console needs on the broker in a mode, and no more (its Permission): write where its
 * operator-action events go and every consumer queue's retry exchange (a redrive goes back to its
 * queue through it, decision 0011); read every dead-letter queue (the keeper records what is
 * parked). It configures nothing and writes no dead-letter exchange and no other exchange, so it
 * reaches a queue only through that queue's retry path.
 */
export function consoleAccess(mode: TopologyMode): { publishes: string[]; consumes: string[] } {
  const queues = consumerQueues(mode).map((q) => q.queue);
  const own = eventTypes.filter((type) => producerOf(type) === 'console').map((type) => routeOf(type).exchange);
  return {
    publishes: [...new Set([...own, ...queues.map(retryExchange)])].sort(),
    consumes: queues.map(deadLetterQueue).sort(),
  };
}
