import { z } from 'zod';
import { type MessageType, messages } from './catalog.js';
import { envelopeSchema } from './envelope.js';
import { licence } from './licence.js';
import { producerOf, routeOf } from './producers.js';
import { consumerQueues, exchanges, type SagaMode, streamOf } from './topology.js';

const exchangeTypes: Record<string, 'topic' | 'direct'> = {
  [exchanges.events]: 'topic',
  [exchanges.commands]: 'direct',
};
const draft7 = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', unrepresentable: 'any', io }) as Record<string, unknown>;
  return rest;
};
const id = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '_');
const channelOf = (type: MessageType) => id(`${routeOf(type).exchange}.${type}`);
/** A topic binding's routing key as a pattern on types ('#' every event, 'order.*' one word). */
const matches = (key: string, type: string) =>
  new RegExp(`^${key.replaceAll('.', '\\.').replaceAll('#', '.*').replaceAll('*', '[^.]+')}$`).test(type);

/** The CloudEvents structured envelope (AMQP binding, structured mode) with this type's data. */
function payloadOf(type: MessageType) {
  const envelope = draft7(envelopeSchema, 'output') as { properties: Record<string, unknown>; required: string[] };
  return {
    ...envelope,
    properties: { ...envelope.properties, type: { type: 'string', const: type }, data: draft7(messages[type], 'input') },
    required: [...new Set([...envelope.required, 'data'])],
  };
}

/**
 * The AsyncAPI 3.0 document of Orderly's messages in a saga mode, from the catalog (payloads) and
 * the topology (channels = exchange and routing key; who sends and who receives what). Built at
 * run time: a change of the topology is a change of this document.
 */
export function asyncApiDocument(mode: SagaMode, version = '0.1.0'): Record<string, unknown> {
  const types = Object.keys(messages) as MessageType[];
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const components: Record<string, unknown> = {};
  for (const type of types) {
    const { exchange, routingKey } = routeOf(type);
    components[id(type)] = {
      name: type,
      title: type,
      contentType: 'application/cloudevents+json',
      payload: payloadOf(type),
      bindings: { amqp: { contentEncoding: 'utf-8', messageType: type, bindingVersion: '0.3.0' } },
    };
    channels[channelOf(type)] = {
      address: routingKey === '' ? exchange : routingKey,
      title: `${type} on ${exchange}`,
      messages: { [id(type)]: { $ref: `#/components/messages/${id(type)}` } },
      bindings: {
        amqp: {
          is: 'routingKey',
          exchange: { name: exchange, type: exchangeTypes[exchange], durable: true, autoDelete: false, vhost: '/' },
          bindingVersion: '0.3.0',
        },
      },
    };
  }
  const sent = mode === 'orchestration' ? types : types.filter((t) => !(t in commandsOnly));
  for (const type of sent) {
    const producer = producerOf(type);
    operations[id(`${producer} sends ${type}`)] = {
      action: 'send',
      title: `${producer} sends ${type}`,
      channel: { $ref: `#/channels/${channelOf(type)}` },
      messages: [{ $ref: `#/channels/${channelOf(type)}/messages/${id(type)}` }],
    };
  }
  for (const q of consumerQueues(mode)) {
    const { queue, service, subscriptions } = q;
    // A reader that only records takes its messages from a stream; its queue holds only its retries.
    const from = q.reads === 'stream' ? `stream ${streamOf(q)}, retried through queue ${queue}` : `queue ${queue}`;
    for (const type of sent) {
      const route = routeOf(type);
      if (!subscriptions.some((s) => s.exchange === route.exchange && (s.routingKey === '' || matches(s.routingKey, type)))) continue;
      operations[id(`${service} receives ${type} from ${queue}`)] = {
        action: 'receive',
        title: `${service} receives ${type} (${from})`,
        channel: { $ref: `#/channels/${channelOf(type)}` },
        messages: [{ $ref: `#/channels/${channelOf(type)}/messages/${id(type)}` }],
        bindings: { amqp: { ack: true, bindingVersion: '0.3.0' } },
      };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: `Orderly messages (${mode})`,
      version,
      // AsyncAPI's licence has a name and no SPDX field: the name is the SPDX reference, as OpenAPI's identifier.
      license: { name: licence.spdx },
      description:
        'Events and commands of Orderly as CloudEvents 1.0 in structured mode (one JSON envelope per AMQP message). Producers are verified by the AMQP user_id and the envelope source.',
    },
    defaultContentType: 'application/cloudevents+json',
    servers: { broker: { host: 'localhost:5672', protocol: 'amqp', protocolVersion: '0.9.1', description: 'RabbitMQ (the local stack)' } },
    channels,
    operations,
    components: { messages: components },
  };
}

const commandsOnly = Object.fromEntries(
  (Object.keys(messages) as MessageType[]).filter((t) => routeOf(t).exchange === exchanges.commands).map((t) => [t, true]),
);
