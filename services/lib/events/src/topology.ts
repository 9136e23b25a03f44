import { type CommandType, commandTypes, type EventType } from './catalog.js';

/**
 * The broker topology as data: the services assert it on every (re)connect and the Helm chart
 * renders the same definition as Messaging Topology Operator resources. Nothing is declared
 * anywhere else.
 */
export const exchanges = {
  events: 'orderly.events',
  commands: 'orderly.commands',
  /** Prefixes: each consumer queue has its own retry and dead-letter exchange (retryExchange, deadLetterExchange). */
  retry: 'orderly.retry',
  dlx: 'orderly.dlx',
  /** Where a DLQ dead-letters what its keeper could not take (delivery limit, or refused): one queue of the same name. */
  quarantine: 'orderly.quarantine',
} as const;

/**
 * A queue's own retry exchange: it routes only to that queue's retry queue (and, when a delay
 * expires, back to the queue). Per queue rather than shared so that a service's write permission
 * on it reaches its own queues and nobody else's (docs/decisions/0009).
 */
export const retryExchange = (queue: string) => `${exchanges.retry}.${queue}`;
/** A queue's own dead-letter exchange: it routes only to that queue's DLQ. */
export const deadLetterExchange = (queue: string) => `${exchanges.dlx}.${queue}`;

export const sagaModes = ['choreography', 'orchestration'] as const;
export type SagaMode = (typeof sagaModes)[number];

/**
 * What the broker carries: one saga mode's messages, or both while a switch finishes the sagas the
 * other mode started (decision 0022): 'switching' binds each participant to its events and its
 * commands, and lets each service write what it writes in either mode. Participants handle both
 * (idempotently per order), so the second trigger of a step does nothing.
 */
export const topologyModes = [...sagaModes, 'switching'] as const;
export type TopologyMode = (typeof topologyModes)[number];

/** The topology a service runs on: its mode's, or both modes' while a switch drains (SAGA_SWITCHING). */
export const topologyModeOf = (mode: SagaMode, switching: boolean): TopologyMode => (switching ? 'switching' : mode);

export interface Subscription {
  exchange: string;
  routingKey: string;
}

/** A queue some service consumes, with what it is bound to. */
export interface ConsumerQueue {
  queue: string;
  service: string;
  subscriptions: Subscription[];
  /**
   * 'stream': a reader that only records. It reads its subscriptions from the event stream (one
   * copy of every message for all such readers, its offset stored with its writes), and its queue
   * is bound to nothing: only its own retries and the console's redrives reach it.
   */
  reads?: 'stream';
  /** Which stream a reader reads (eventStream unless it names a narrower one). */
  stream?: string;
  /**
   * The stream this reader read before: a reader with an offset there and none on `stream` moves
   * over without losing or doubling a message (platform stream/move.ts). Kept while installations
   * may still hold such an offset; dropping it also drops the reader's read permission on it.
   */
  movedFrom?: string;
}

/**
 * The event stream: every event and command, once, for the readers that only record (audit, the
 * customer projection, the stored notifications). Its retention bounds how long a reader may be
 * down (docs/decisions, stream readers); the readers' lag alert fires well before it.
 */
export const eventStream = 'orderly.stream';
/**
 * The order stream: only the events its readers subscribe to (the customer projection and the
 * stored notifications), so they are not handed every command and every other event (decision 0031).
 */
export const orderStream = 'orderly.stream.orders';
export const streamRetention = { maxAge: '7D', maxSegmentBytes: 50_000_000 } as const;

const on = (...types: EventType[]): Subscription[] => types.map((routingKey) => ({ exchange: exchanges.events, routingKey }));
const told = (...types: CommandType[]): Subscription[] => types.map((routingKey) => ({ exchange: exchanges.commands, routingKey }));

/** Observers react to outcomes the same way in both modes. */
const observers: ConsumerQueue[] = [
  {
    queue: 'notification',
    service: 'notification',
    subscriptions: on('order.confirmed', 'order.rejected', 'order.shipped', 'order.delivered', 'order.cancelled', 'payment.refunded'),
    reads: 'stream',
    stream: orderStream,
    movedFrom: eventStream,
  },
  // No queue for email: the notification service mails from its own table (decision 0028).
  {
    queue: 'customer',
    service: 'customer',
    subscriptions: on('order.placed', 'order.confirmed', 'order.rejected', 'order.cancelled', 'order.shipped', 'order.delivered'),
    reads: 'stream',
    stream: orderStream,
    movedFrom: eventStream,
  },
  // The activity log keeps everything: every event, and every command (a direct exchange has no wildcard).
  {
    queue: 'audit',
    service: 'audit',
    subscriptions: [{ exchange: exchanges.events, routingKey: '#' }, ...told(...commandTypes)],
    reads: 'stream',
  },
];

const orderOutcomes = on(
  'inventory.reserved',
  'inventory.rejected',
  'payment.completed',
  'payment.failed',
  'shipment.dispatched',
  'shipment.delivered',
);

/** Saga participants: what each reacts to, per mode. Handlers are the same functions in both. */
const participants: Record<SagaMode, ConsumerQueue[]> = {
  choreography: [
    { queue: 'order', service: 'order', subscriptions: orderOutcomes },
    {
      queue: 'inventory',
      service: 'inventory',
      subscriptions: on('order.placed', 'payment.completed', 'payment.failed', 'order.cancelled'),
    },
    { queue: 'payment', service: 'payment', subscriptions: on('inventory.reserved', 'order.cancelled') },
    { queue: 'shipping', service: 'shipping', subscriptions: on('order.confirmed', 'order.cancelled') },
  ],
  orchestration: [
    // The orchestrator also hears the replies that advance its later steps.
    { queue: 'order', service: 'order', subscriptions: [...orderOutcomes, ...on('inventory.committed', 'shipment.created')] },
    { queue: 'inventory', service: 'inventory', subscriptions: told('inventory.reserve', 'inventory.release', 'inventory.commit') },
    { queue: 'payment', service: 'payment', subscriptions: told('payment.charge', 'payment.refund') },
    { queue: 'shipping', service: 'shipping', subscriptions: told('shipping.create', 'shipping.cancel') },
  ],
};

export function consumerQueues(mode: TopologyMode): ConsumerQueue[] {
  if (mode !== 'switching') return [...participants[mode], ...observers];
  // Both modes' subscriptions per queue, each once; the queues are the same in both.
  const both = participants.choreography.map((q) => {
    const other = participants.orchestration.find((o) => o.queue === q.queue)?.subscriptions ?? [];
    const extra = other.filter((s) => !subscribed(q.subscriptions, s.exchange, s.routingKey));
    return { ...q, subscriptions: [...q.subscriptions, ...extra] };
  });
  return [...both, ...observers];
}

/** Every service that runs in the platform, with its port (docs/architecture.md#http-api). */
export const servicePorts = {
  order: 8080,
  inventory: 8081,
  payment: 8082,
  notification: 8083,
  shipping: 8084,
  customer: 8085,
  audit: 8086,
} as const;
export type ServiceName = keyof typeof servicePorts;

/**
 * The operations console (decision 0011): not one of the pipeline's services (it consumes no queue
 * of the catalog), but it produces the operator-action events and redrives parked messages.
 */
export const consolePort = 8087;
/** Whoever produces catalog messages: a pipeline service, or the console. */
export type Producer = ServiceName | 'console';

/** Whether a subscription takes a message published to this exchange with this routing key. */
export function subscribed(subscriptions: readonly Subscription[], exchange: string, routingKey: string): boolean {
  return subscriptions.some((s) => s.exchange === exchange && (s.routingKey === '#' || s.routingKey === routingKey));
}

/**
 * What a service reads in a mode (all its broker read permission needs): its queues, and the
 * streams its readers read (with the one a reader moves from, while it may still hold an offset there).
 */
export function queuesReadBy(mode: TopologyMode, service: string): string[] {
  const mine = consumerQueues(mode).filter((q) => q.service === service);
  const streams = mine.filter((q) => q.reads === 'stream').flatMap((q) => [streamOf(q), ...(q.movedFrom ? [q.movedFrom] : [])]);
  return [...new Set([...mine.map((q) => q.queue), ...streams])].sort();
}

/** The queues a mode's stream readers keep for their retries and redrives (they read the stream). */
export const streamReaders = (mode: TopologyMode) => consumerQueues(mode).filter((q) => q.reads === 'stream');

/** The stream a reader reads. */
export const streamOf = (q: ConsumerQueue): string => q.stream ?? eventStream;

/**
 * The streams a mode has, each bound to what its readers subscribe to (each binding once). A
 * stream another reader still moves from is kept even when nobody reads it any more.
 */
export function streams(mode: TopologyMode): { name: string; subscriptions: Subscription[] }[] {
  const readers = streamReaders(mode);
  const names = [...new Set(readers.flatMap((q) => [streamOf(q), ...(q.movedFrom ? [q.movedFrom] : [])]))];
  return names.map((name) => {
    const subscriptions: Subscription[] = [];
    for (const s of readers.filter((q) => streamOf(q) === name).flatMap((q) => q.subscriptions))
      if (!subscriptions.some((x) => x.exchange === s.exchange && x.routingKey === s.routingKey)) subscriptions.push(s);
    return { name, subscriptions };
  });
}

export const retryQueue = (queue: string) => `${queue}.retry`;
export const deadLetterQueue = (queue: string) => `${queue}.dlq`;
/** What no keeper could record: read by a person (management UI), never by a service. */
export const quarantineQueue = exchanges.quarantine;
