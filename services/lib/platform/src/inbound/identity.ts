import { type Envelope, isMessageType, producerOf } from '@orderly/events';
import { ConfigError } from '../config.js';

/**
 * Who a service is on the broker. Every service connects as its own user, named `<prefix><service>`
 * (the chart's `orderly-order`, a test vhost's `<vhost>.order`): the prefix tells the consumer which
 * broker user the catalog's producer of each type must be. RabbitMQ checks the `user_id` property
 * of every publish against the connection's user, so a user_id names who really published.
 */
export interface BrokerIdentity {
  service: string;
  user: string;
  prefix: string;
}

export function brokerIdentity(amqpUrl: string, service: string): BrokerIdentity {
  const user = decodeURIComponent(new URL(amqpUrl).username);
  if (!user.endsWith(service)) {
    throw new ConfigError(
      `invalid configuration:\n  AMQP_URL: the broker user "${user}" does not name the service: it must be <prefix>${service} (e.g. orderly-${service}), ` +
        'so that consumers can tell which service published a message',
    );
  }
  return { service, user, prefix: user.slice(0, user.length - service.length) };
}

/** The broker user that must have published a message of this type. */
export const expectedUser = (identity: BrokerIdentity, type: string) =>
  isMessageType(type) ? `${identity.prefix}${producerOf(type)}` : undefined;

/**
 * Why a message does not come from the service the catalog says produces its type, or undefined:
 * the envelope's `source` and the broker-verified user must both name that producer.
 */
export function producerProblem(event: Envelope, publishedBy: string | undefined, identity: BrokerIdentity): string | undefined {
  if (!isMessageType(event.type)) return `unknown message type ${event.type}`;
  const producer = producerOf(event.type);
  if (event.source !== `orderly/${producer}`) return `${event.type} is produced by orderly/${producer}, not ${event.source}`;
  const user = `${identity.prefix}${producer}`;
  if (publishedBy !== user)
    return `${event.type} must be published by broker user ${user}, was published by ${publishedBy ?? 'an unnamed user'}`;
  return undefined;
}
