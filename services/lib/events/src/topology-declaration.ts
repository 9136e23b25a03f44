import {
  consumerQueues,
  deadLetterExchange,
  deadLetterQueue,
  exchanges,
  quarantineQueue,
  retryExchange,
  retryQueue,
  streamRetention,
  streams,
  type TopologyMode,
} from './topology.js';

/** What the broker is asked to declare for a mode: the services assert it, the Helm chart renders it. */
export interface ExchangeDef {
  name: string;
  type: 'topic' | 'direct' | 'fanout';
}
export interface QueueDef {
  name: string;
  type: 'quorum' | 'stream';
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
  mode: TopologyMode;
  /** Last guard against a message that crashes its consumer: the broker counts deliveries. */
  deliveryLimit: number;
}

const anchored = (name: string) => `^${name.replaceAll('.', '\\.')}$`;

export function topology({ mode, deliveryLimit }: TopologyOptions): Topology {
  const t: Topology = {
    exchanges: [
      { name: exchanges.events, type: 'topic' },
      { name: exchanges.commands, type: 'direct' },
    ],
    queues: [],
    bindings: [],
    policies: [],
  };
  const atLeastOnce = { overflow: 'reject-publish', 'dead-letter-strategy': 'at-least-once' };
  for (const { queue, subscriptions, reads } of consumerQueues(mode)) {
    const [retry, dlq] = [retryQueue(queue), deadLetterQueue(queue)];
    const [retryX, dlx] = [retryExchange(queue), deadLetterExchange(queue)];
    t.exchanges.push({ name: retryX, type: 'direct' }, { name: dlx, type: 'direct' });
    t.queues.push({ name: queue, type: 'quorum' }, { name: retry, type: 'quorum' }, { name: dlq, type: 'quorum' });
    if (reads !== 'stream')
      for (const s of subscriptions) t.bindings.push({ source: s.exchange, destination: queue, routingKey: s.routingKey });
    // A retried message waits in <queue>.retry until its per-message TTL expires, then the
    // retry exchange routes it back to <queue>; a parked one goes through the DLX to <queue>.dlq.
    t.bindings.push(
      { source: retryX, destination: retry, routingKey: retry },
      { source: retryX, destination: queue, routingKey: queue },
      { source: dlx, destination: dlq, routingKey: queue },
    );
    t.policies.push(
      {
        name: `orderly.${queue}`,
        pattern: anchored(queue),
        applyTo: 'queues',
        priority: 10,
        definition: {
          'dead-letter-exchange': dlx,
          'dead-letter-routing-key': queue,
          'delivery-limit': deliveryLimit,
          ...atLeastOnce,
        },
      },
      {
        name: `orderly.${retry}`,
        pattern: anchored(retry),
        applyTo: 'queues',
        priority: 10,
        definition: { 'dead-letter-exchange': retryX, 'dead-letter-routing-key': queue, ...atLeastOnce },
      },
      // A parked message its keeper cannot take — it drops the keeper's connection on every
      // delivery (RabbitMQ 3.x counts those), or the keeper refuses it — goes to quarantine
      // instead of blocking the DLQ for ever (decision 0025).
      {
        name: `orderly.${dlq}`,
        pattern: anchored(dlq),
        applyTo: 'queues',
        priority: 10,
        definition: {
          'dead-letter-exchange': exchanges.quarantine,
          'dead-letter-routing-key': dlq,
          'delivery-limit': deliveryLimit,
          ...atLeastOnce,
        },
      },
    );
  }
  // What no keeper could record, from every DLQ (their policies above), for a person to look at.
  t.exchanges.push({ name: exchanges.quarantine, type: 'fanout' });
  t.queues.push({ name: quarantineQueue, type: 'quorum' });
  t.bindings.push({ source: exchanges.quarantine, destination: quarantineQueue, routingKey: '' });
  // Each stream takes what its readers subscribe to: the event stream every event and every
  // command (a direct exchange has no wildcard) for the audit log, the order stream the order's own events.
  for (const { name, subscriptions } of streams(mode)) {
    t.queues.push({ name, type: 'stream' });
    t.bindings.push(...subscriptions.map((s) => ({ source: s.exchange, destination: name, routingKey: s.routingKey })));
    t.policies.push({
      name,
      pattern: anchored(name),
      applyTo: 'queues',
      priority: 10,
      definition: { 'max-age': streamRetention.maxAge, 'stream-max-segment-size-bytes': streamRetention.maxSegmentBytes },
    });
  }
  return t;
}
