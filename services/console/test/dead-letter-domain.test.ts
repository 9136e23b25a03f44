import { orderlyHeaders } from '@orderly/events';
import test from 'ava';
import { Pacer } from '../src/bus/pacer.js';
import { decodeCursor, encodeCursor } from '../src/domain/cursor.js';
import { deliveryKey, describeParked } from '../src/domain/parked-message.js';
import { bodyText, redriveHeaders } from '../src/domain/redrive.js';
import { likeLiteral, whereOf } from '../src/store/dead-letter-filter.js';

const orderId = '6f0c3c1e-8a3b-4d2e-9f10-1a2b3c4d5e6f';
const envelope = Buffer.from(JSON.stringify({ id: 'e1', type: 'payment.completed', subject: orderId, data: { orderId } }));
const now = new Date('2025-01-31T12:00:00Z');
const parkedWith = (properties: Parameters<typeof describeParked>[0]['properties']) =>
  describeParked({ queue: 'order', content: envelope, properties }, now);

test('when the consumer parked a message, then its error, attempts, publisher and time come from its headers', (t) => {
  const parked = parkedWith({
    messageId: 'm1',
    type: 'payment.completed',
    userId: 'orderly-order',
    headers: {
      [orderlyHeaders.error]: 'Error: boom',
      [orderlyHeaders.attempts]: 5,
      [orderlyHeaders.failedAt]: '2025-01-31T11:59:00.000Z',
      [orderlyHeaders.publishedBy]: 'orderly-payment',
      [orderlyHeaders.redrives]: 2,
    },
  });
  t.like(parked, {
    queue: 'order',
    messageId: 'm1',
    type: 'payment.completed',
    orderId,
    error: 'Error: boom',
    attempts: 5,
    publishedBy: 'orderly-payment',
    redrives: 2,
  });
  t.is(parked.failedAt.toISOString(), '2025-01-31T11:59:00.000Z');
});

test('when the broker dead-lettered a message, then only its own facts are believed: reason, time, the verified user', (t) => {
  const parked = parkedWith({
    userId: 'orderly-payment',
    headers: {
      'x-death': [{ reason: 'delivery_limit', queue: 'order', count: 1, time: { '!': 'timestamp', value: 1_738_324_740 } }],
      [orderlyHeaders.failedAt]: '2000-01-01T00:00:00Z',
      [orderlyHeaders.publishedBy]: 'orderly-order',
      [orderlyHeaders.attempts]: 1,
    },
  });
  t.is(parked.error, 'dead-lettered by the broker: delivery_limit in order');
  t.is(parked.publishedBy, 'orderly-payment');
  t.is(parked.attempts, null);
  t.is(parked.failedAt.toISOString(), '2025-01-31T11:59:00.000Z');
  // Without a type property or message id, the envelope's are used.
  t.is(parked.type, 'payment.completed');
  t.is(parked.messageId, 'e1');
});

test('when a claimed time is in the future or not a time, then the time it was recorded is used', (t) => {
  for (const claimed of ['2999-01-01T00:00:00Z', 'yesterday', 42]) {
    const parked = describeParked(
      { queue: 'order', content: envelope, properties: { headers: { [orderlyHeaders.failedAt]: claimed } } },
      now,
    );
    t.is(parked.failedAt, now);
  }
});

test('when the order id is not a uuid, then none is recorded; the subject serves when the data has none', (t) => {
  const of = (json: unknown) => describeParked({ queue: 'audit', content: Buffer.from(JSON.stringify(json)), properties: {} }, now).orderId;
  t.is(of({ subject: orderId.toUpperCase(), data: {} }), orderId);
  t.is(of({ subject: 'x', data: { orderId: "'; DROP TABLE x" } }), null);
  t.is(of([1, 2]), null);
});

test('when the same delivery comes again with a redelivery count, then its key is the same; another park of it, another key', (t) => {
  const delivery = { queue: 'order', content: envelope, properties: { messageId: 'm1', headers: { [orderlyHeaders.failedAt]: 'a' } } };
  const again = { ...delivery, properties: { ...delivery.properties, headers: { ...delivery.properties.headers, 'x-delivery-count': 1 } } };
  const later = { ...delivery, properties: { ...delivery.properties, headers: { [orderlyHeaders.failedAt]: 'b' } } };
  t.is(deliveryKey(again), deliveryKey(delivery));
  t.not(deliveryKey(later), deliveryKey(delivery));
  t.not(deliveryKey({ ...delivery, content: Buffer.from('other') }), deliveryKey(delivery));
  t.not(deliveryKey({ ...delivery, queue: 'payment' }), deliveryKey(delivery));
});

test('when a message is redriven, then it starts at attempt 1, counts the redrive, names the recorded publisher and forgets its last failure', (t) => {
  const headers = redriveHeaders(
    {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      [orderlyHeaders.attempt]: 5,
      [orderlyHeaders.attempts]: 5,
      [orderlyHeaders.error]: 'Error: boom',
      [orderlyHeaders.failedAt]: '2025-01-31T11:59:00.000Z',
      [orderlyHeaders.waitingSince]: 1,
      [orderlyHeaders.publishedBy]: 'someone-else',
      'x-death': [{ reason: 'delivery_limit' }],
      'x-table': { '!': 'bad' },
    },
    'orderly-payment',
    3,
  );
  t.deepEqual(headers, {
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    [orderlyHeaders.attempt]: 1,
    [orderlyHeaders.redrives]: 3,
    [orderlyHeaders.publishedBy]: 'orderly-payment',
  });
  t.is(redriveHeaders({}, null, 1)[orderlyHeaders.publishedBy], '', 'no recorded publisher: no one is believed');
});

test('when a body is UTF-8 it is shown as text, else as base64', (t) => {
  t.deepEqual(bodyText(Buffer.from('{"a":"é"}')), { body: '{"a":"é"}', encoding: 'utf8' });
  t.deepEqual(bodyText(Buffer.from([0xff, 0x00])), { body: '/wA=', encoding: 'base64' });
});

test('when a cursor is made, then it names the position; anything else is not a cursor', (t) => {
  const position = { failedAt: '2025-01-31T12:00:00.000Z', id: orderId };
  t.deepEqual(decodeCursor(encodeCursor(position)), position);
  for (const bad of ['', 'x', Buffer.from('["not a time","x"]').toString('base64url'), Buffer.from('{}').toString('base64url')])
    t.is(decodeCursor(bad), undefined);
});

test('when the error search has % or _ or a backslash, then they match themselves and every value is a parameter', (t) => {
  t.is(likeLiteral('100%_done\\'), '100\\%\\_done\\\\');
  const params: unknown[] = [];
  const where = whereOf({ queue: 'order', q: "50%'; --", since: '2025-01-01T00:00:00Z', status: 'parked' }, params);
  t.is(where, "queue = $1 AND error ILIKE '%' || $2 || '%' AND failed_at >= $3 AND status = $4");
  t.deepEqual(params, ['order', "50\\%'; --", '2025-01-01T00:00:00Z', 'parked']);
  t.is(whereOf({}, []), 'true');
});

test('when many take from one pacer at once, then they are spaced to its rate together', async (t) => {
  const pacer = new Pacer(50);
  const started = performance.now();
  await Promise.all(Array.from({ length: 11 }, () => pacer.take()));
  // 11 takes at 50/s: the last one 10 intervals (200 ms) after the first.
  t.true(performance.now() - started >= 195);
});
