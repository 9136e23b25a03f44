import type { EventType } from './catalog.js';

/**
 * The broker topology as data: the services assert it on every (re)connect and the Helm chart
 * renders the same definition as Messaging Topology Operator resources. Nothing is declared
 * anywhere else.
 */
export const exchanges = {
  events: 'orderly.events',
  commands: 'orderly.commands',
  notifications: 'orderly.notifications',
  retry: 'orderly.retry',
  dlx: 'orderly.dlx',
} as const;

export type SagaMode = 'choreography' | 'orchestration';
export const consumingServices = ['order', 'inventory', 'payment', 'notification'] as const;
export type ConsumingService = (typeof consumingServices)[number];

/** What each consuming service reacts to in choreography mode. */
export const subscriptions: Record<ConsumingService, readonly EventType[]> = {
  order: ['inventory.reserved', 'inventory.rejected', 'payment.completed', 'payment.failed'],
  inventory: ['order.placed', 'payment.completed', 'payment.failed'],
  payment: ['inventory.reserved'],
  notification: ['order.confirmed', 'order.rejected'],
};

export interface ExchangeDef {
  name: string;
  type: 'topic' | 'direct' | 'fanout';
}
export interface QueueDef {
  name: string;
  type: 'quorum';
}
export interface BindingDef {
  source: string;
  destination: string;
  routingKey: string;
}
export interface PolicyDef {
  name: string;
  pattern: string;
  applyTo: 'queues';
  priority: number;
  definition: Record<string, string | number>;
}
export interface Topology {
  exchanges: ExchangeDef[];
  queues: QueueDef[];
  bindings: BindingDef[];
  policies: PolicyDef[];
}

export interface TopologyOptions {
  mode: SagaMode;
  /** Last guard against a message that crashes its consumer: the broker counts deliveries. */
  deliveryLimit: number;
}

export const retryQueue = (queue: string) => `${queue}.retry`;
export const deadLetterQueue = (queue: string) => `${queue}.dlq`;

export function topology({ deliveryLimit }: TopologyOptions): Topology {
  const t: Topology = {
    exchanges: [
      { name: exchanges.events, type: 'topic' },
      { name: exchanges.commands, type: 'direct' },
      { name: exchanges.notifications, type: 'fanout' },
      { name: exchanges.retry, type: 'direct' },
      { name: exchanges.dlx, type: 'direct' },
    ],
    queues: [],
    bindings: [],
    policies: [],
  };
  for (const service of consumingServices) {
    const [main, retry, dlq] = [service, retryQueue(service), deadLetterQueue(service)];
    t.queues.push({ name: main, type: 'quorum' }, { name: retry, type: 'quorum' }, { name: dlq, type: 'quorum' });
    for (const type of subscriptions[service]) {
      t.bindings.push({ source: exchanges.events, destination: main, routingKey: type });
    }
    // A retried message waits in <queue>.retry until its per-message TTL expires, then the
    // retry exchange routes it back to <queue>; a parked one goes through the DLX to <queue>.dlq.
    t.bindings.push(
      { source: exchanges.retry, destination: retry, routingKey: retry },
      { source: exchanges.retry, destination: main, routingKey: main },
      { source: exchanges.dlx, destination: dlq, routingKey: main },
    );
    const atLeastOnce = { overflow: 'reject-publish', 'dead-letter-strategy': 'at-least-once' };
    t.policies.push(
      {
        name: `orderly.${main}`,
        pattern: `^${main}$`,
        applyTo: 'queues',
        priority: 10,
        definition: {
          'dead-letter-exchange': exchanges.dlx,
          'dead-letter-routing-key': main,
          'delivery-limit': deliveryLimit,
          ...atLeastOnce,
        },
      },
      {
        name: `orderly.${retry}`,
        pattern: `^${main}\\.retry$`,
        applyTo: 'queues',
        priority: 10,
        definition: {
          'dead-letter-exchange': exchanges.retry,
          'dead-letter-routing-key': main,
          ...atLeastOnce,
        },
      },
    );
  }
  return t;
}
