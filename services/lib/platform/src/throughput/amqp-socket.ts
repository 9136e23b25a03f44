import { Socket } from 'node:net';
import type { ChannelModel } from 'amqplib';

/**
 * The socket amqplib writes its frames to. amqplib has no public way to hand it a socket, so its
 * private `connection.stream` is reached here, and only here; test/amqp-socket.test.ts fails when
 * an amqplib upgrade moves it. Undefined then: the connection works, only unbatched.
 */
export function amqpSocket(model: ChannelModel): Socket | undefined {
  const stream = (model.connection as unknown as { stream?: unknown }).stream;
  return stream instanceof Socket ? stream : undefined;
}
