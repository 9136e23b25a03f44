import { amqpSocket } from '../throughput/amqp-socket.js';
import type { TestEnv } from './env.js';
import { toolConnection } from './tool-connection.js';

/**
 * A headers table nested `depth` deep (`{a:{a:{…}}}`): the header bomb, 7 bytes a level
 * (5,000 levels: 35 kB). amqplib cannot even encode it (its encoder recurses too), so it is written
 * as bytes here.
 */
export function headerBomb(depth: number): Buffer {
  const out = Buffer.alloc(7 * depth);
  for (let level = 0; level < depth; level++) {
    const at = 7 * level;
    out.writeUInt8(1, at);
    out.write('a', at + 1, 'latin1');
    out.write('F', at + 2, 'latin1');
    out.writeUInt32BE(7 * (depth - level - 1), at + 3);
  }
  return out;
}

const shortString = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([b.length]), b]);
};
const frame = (type: number, channel: number, payload: Buffer) => {
  const head = Buffer.alloc(7);
  head.writeUInt8(type, 0);
  head.writeUInt16BE(channel, 1);
  head.writeUInt32BE(payload.length, 3);
  return Buffer.concat([head, payload, Buffer.from([0xce])]);
};

/**
 * Publishes a message whose headers table is the given bytes, as a hostile client would: the
 * method, content header and body frames written straight to the socket of a channel that amqplib
 * opened, as `as` (with its user_id) or the administrator. Resolves once the broker has confirmed it.
 */
export function publishRawHeaders(
  env: TestEnv,
  exchange: string,
  routingKey: string,
  content: Buffer,
  headersTable: Buffer,
  { as, type, messageId }: { as?: string; type?: string; messageId?: string } = {},
): Promise<void> {
  const url = as ? env.amqpUrlFor(as) : env.amqpUrl;
  return publishRawHeadersAt(url, exchange, routingKey, content, headersTable, { asUser: as !== undefined, type, messageId });
}

/** publishRawHeaders at any broker URL; `asUser`: with the URL's user as user_id. */
export async function publishRawHeadersAt(
  url: string,
  exchange: string,
  routingKey: string,
  content: Buffer,
  headersTable: Buffer,
  { asUser, type, messageId }: { asUser: boolean; type?: string | undefined; messageId?: string | undefined },
): Promise<void> {
  const conn = await toolConnection(url);
  try {
    // A confirm channel, so that the broker has taken the message when this resolves.
    const ch = await conn.createConfirmChannel();
    const number = (ch as unknown as { ch: number }).ch;
    const socket = amqpSocket(conn);
    if (!socket) throw new Error('amqplib no longer exposes its socket');
    const method = Buffer.concat([
      Buffer.from([0, 60, 0, 40, 0, 0]), // basic.publish, reserved
      shortString(exchange),
      shortString(routingKey),
      Buffer.from([0]), // not mandatory, not immediate
    ]);
    // Properties in flag order: headers (bit 13), delivery mode (12), message id (7), type (5), user id (4).
    const userId = asUser ? decodeURIComponent(new URL(url).username) : undefined;
    const flags = 0x2000 | 0x1000 | (messageId ? 0x0080 : 0) | (type ? 0x0020 : 0) | (userId ? 0x0010 : 0);
    const tableLength = Buffer.alloc(4);
    tableLength.writeUInt32BE(headersTable.length);
    const bodySize = Buffer.alloc(8);
    bodySize.writeBigUInt64BE(BigInt(content.length));
    const header = Buffer.concat([
      Buffer.from([0, 60, 0, 0]),
      bodySize,
      Buffer.from([flags >> 8, flags & 0xff]),
      tableLength,
      headersTable,
      Buffer.from([2]), // persistent
      ...(messageId ? [shortString(messageId)] : []),
      ...(type ? [shortString(type)] : []),
      ...(userId ? [shortString(userId)] : []),
    ]);
    const bodies: Buffer[] = [];
    for (let at = 0; at < content.length; at += 100_000) bodies.push(frame(3, number, content.subarray(at, at + 100_000)));
    // amqplib counts the publish for its confirm, and these bytes go out in place of its own frames.
    (ch as unknown as { sendMessage: () => boolean }).sendMessage = () =>
      socket.write(Buffer.concat([frame(1, number, method), frame(2, number, header), ...bodies]));
    ch.publish(exchange, routingKey, content);
    await ch.waitForConfirms();
  } finally {
    await conn.close().catch(() => {});
  }
}
