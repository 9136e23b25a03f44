import type { Attributes } from '@opentelemetry/api';

/**
 * Messaging spans by the OpenTelemetry semantic conventions for RabbitMQ (messaging/rabbitmq.md,
 * development status): a span is named `{operation} {destination}`; the destination is
 * `{exchange}:{routing key}` for a send and `{exchange}:{routing key}:{queue}` for a process, an
 * empty part left out and the queue left out when it equals the routing key. Orderly's routing
 * keys are event types, so the names stay low in cardinality.
 */

/** Where the broker is, from the URL the service connects with (never its credentials). */
let broker: { address: string; port: number } | undefined;

export function noteBrokerEndpoint(url: string): void {
  const parsed = new URL(url);
  broker = { address: parsed.hostname, port: Number(parsed.port || (parsed.protocol === 'amqps:' ? 5671 : 5672)) };
}

export function destinationName(exchange: string, routingKey: string, queue?: string): string {
  const parts = [exchange, routingKey, queue === routingKey ? '' : (queue ?? '')].filter((p) => p !== '');
  return parts.length > 0 ? parts.join(':') : 'amq.default';
}

function common(destination: string, messageId: string, routingKey: string, conversationId?: string): Attributes {
  return {
    'messaging.system': 'rabbitmq',
    'messaging.destination.name': destination,
    'messaging.message.id': messageId,
    ...(routingKey !== '' && { 'messaging.rabbitmq.destination.routing_key': routingKey }),
    ...(conversationId && { 'messaging.message.conversation_id': conversationId }),
    ...(broker && { 'server.address': broker.address, 'server.port': broker.port }),
  };
}

/**
 * `messaging.message.conversation_id` of a delivery: its AMQP correlation id, which Orderly's
 * publishers set to the order id (a short string: AMQP bounds it at 255 bytes).
 */
export function conversationIdOf(properties: { correlationId?: unknown }): string | undefined {
  const id = properties.correlationId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

export interface SendSpan {
  exchange: string;
  routingKey: string;
  messageId: string;
  type: string;
  conversationId?: string;
}

/** The PRODUCER span of one publish. */
export function sendSpan(m: SendSpan): { name: string; attributes: Attributes } {
  const destination = destinationName(m.exchange, m.routingKey);
  return {
    name: `send ${destination}`,
    attributes: {
      ...common(destination, m.messageId, m.routingKey, m.conversationId),
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'cloudevents.event_type': m.type,
    },
  };
}

export interface ProcessSpan extends SendSpan {
  queue: string;
  deliveryTag: number;
}

/** The CONSUMER span of one delivery, handled. */
export function processSpan(m: ProcessSpan): { name: string; attributes: Attributes } {
  const destination = destinationName(m.exchange, m.routingKey, m.queue);
  return {
    name: `process ${destination}`,
    attributes: {
      ...common(destination, m.messageId, m.routingKey, m.conversationId),
      'messaging.operation.name': 'process',
      'messaging.operation.type': 'process',
      'messaging.rabbitmq.message.delivery_tag': m.deliveryTag,
      'cloudevents.event_type': m.type,
    },
  };
}

/**
 * `error.type` of a delivery that did not succeed: low in cardinality, one value per outcome the
 * consumer reports (retry: sent back to wait and try again; dead_letter: parked for an operator).
 */
export function outcomeErrorType(outcome: string): string | undefined {
  return outcome === 'retry' || outcome === 'dead_letter' ? outcome : undefined;
}

/** `error.type` of a publish that failed: the error's class (BrokerUnavailableError, …), low in cardinality. */
export function sendErrorType(err: unknown): string {
  return err instanceof Error && err.constructor.name !== 'Error' ? err.constructor.name : '_OTHER';
}
