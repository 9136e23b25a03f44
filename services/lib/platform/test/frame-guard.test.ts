import { orderlyHeaders } from '@orderly/events';
import test from 'ava';
import { fieldTableProblem } from '../src/bus/field-table.js';
import { FrameGuard } from '../src/bus/frame-guard.js';
import { headerBomb } from '../src/testing/raw-frames.js';

// amqplib's own decoder, the one a header bomb crashes: what the guard's output must satisfy.
const require = (await import('node:module')).createRequire(import.meta.url);
const lib = (file: string) => require(require.resolve('amqplib').replace(/channel_api\.js$/, `lib/${file}`));
const { decodeFrame, parseFrame } = lib('frame.js') as {
  parseFrame(b: Buffer, max: number): { rest: Buffer } | false;
  decodeFrame(f: unknown): { fields: { headers?: Record<string, unknown>; messageId?: string } };
};
const { encodeTable } = lib('codec.js') as { encodeTable(b: Buffer, v: object, at: number): number };

/** A basic content header frame on channel 1 with this headers table and a message id. */
function headerFrame(table: Buffer, messageId = 'm-1'): Buffer {
  const id = Buffer.from(messageId);
  const payload = Buffer.concat([
    Buffer.from([0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0x20 | 0x00, 0x80]), // class 60, weight, body size 2, flags: headers + message id
    Buffer.from([table.length >> 24, (table.length >> 16) & 0xff, (table.length >> 8) & 0xff, table.length & 0xff]),
    table,
    Buffer.from([id.length]),
    id,
  ]);
  const head = Buffer.from([2, 0, 1, 0, 0, 0, 0]);
  head.writeUInt32BE(payload.length, 3);
  return Buffer.concat([head, payload, Buffer.from([0xce])]);
}
const bodyFrame = Buffer.from([3, 0, 1, 0, 0, 0, 2, 0x7b, 0x7d, 0xce]);
const decode = (bytes: Buffer) => {
  const frame = parseFrame(bytes, 0);
  if (!frame) throw new Error('incomplete');
  return decodeFrame(frame).fields;
};

test('a header bomb, an unknown type tag and a value past its table are problems; what RabbitMQ writes is not', (t) => {
  t.is(fieldTableProblem(headerBomb(5_000)), 'tables nested deeper than 64');
  t.is(fieldTableProblem(headerBomb(64)), undefined, '64 levels are still decoded');
  t.is(fieldTableProblem(headerBomb(65)), 'tables nested deeper than 64');
  t.regex(fieldTableProblem(Buffer.from([1, 0x61, 0x5a]))!, /unknown type tag 0x5a/);
  t.regex(fieldTableProblem(Buffer.from([1, 0x61, 0x53, 0, 0, 0, 9, 0x62]))!, /runs past/);
  // x-death as RabbitMQ writes it: an array of tables holding an array of strings, a timestamp, a long.
  const death = { count: 1, reason: 'rejected', queue: 'audit', time: { '!': 'timestamp', value: 1_700_000_000 }, 'routing-keys': ['a'] };
  const table = Buffer.alloc(1_000);
  const length = encodeTable(table, { 'x-death': [death], 'x-first-death-queue': 'audit', n: 2 ** 40 }, 0);
  t.is(fieldTableProblem(table.subarray(4, length)), undefined);
});

test('when a header frame holds a bomb, then amqplib gets the same frame with a readable reason in its place, whatever the chunks', (t) => {
  const stream = Buffer.concat([headerFrame(headerBomb(5_000)), bodyFrame, headerFrame(Buffer.alloc(0), 'm-2'), bodyFrame]);
  t.throws(() => decode(stream), { instanceOf: RangeError }, 'amqplib alone overflows its stack');
  for (const chunkSize of [stream.length, 4_096, 7, 3]) {
    const reasons: string[] = [];
    const guard = new FrameGuard((r) => reasons.push(r));
    const parts: Buffer[] = [];
    for (let at = 0; at < stream.length; at += chunkSize) parts.push(guard.push(stream.subarray(at, at + chunkSize)));
    let out: Buffer = Buffer.concat(parts);
    const first = decode(out);
    t.deepEqual(
      first.headers,
      { [orderlyHeaders.undecodable]: 'headers not decodable: tables nested deeper than 64' },
      `chunks of ${chunkSize}`,
    );
    t.is(first.messageId, 'm-1', 'the properties after the headers are intact');
    out = (parseFrame(out, 0) as { rest: Buffer }).rest;
    out = (parseFrame(out, 0) as { rest: Buffer }).rest; // the body
    t.is(decode(out).messageId, 'm-2', 'the next message is untouched');
    t.deepEqual(reasons, ['tables nested deeper than 64']);
  }
});

test('when nothing is wrong, then the bytes pass through as they came', (t) => {
  const stream = Buffer.concat([headerFrame(Buffer.from([1, 0x61, 0x74, 1])), bodyFrame]);
  const guard = new FrameGuard();
  t.is(guard.push(stream).compare(stream), 0);
  t.is(guard.replaced, 0);
});
