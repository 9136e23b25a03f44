import { cleanupList, recordedDatabase } from '@orderly/platform/testing';
import test from 'ava';
import { cancelled, confirmed } from '../src/domain/messages.js';
import { storeNotification } from '../src/store/notification-store.js';
import { notificationWithSink } from './smtp-sink.js';

const cleanups = cleanupList();
test.after.always(() => cleanups.run());

test('when a batch stores many notifications, then the commit writes them with one statement, a repeat of an order and kind left out', async (t) => {
  const { service } = await notificationWithSink('notification_batch_statements', cleanups);
  const pool = service.db.pool;
  // Every statement the transaction sends, on the real server.
  const { db, statements } = recordedDatabase(pool, 'notification');
  const orders = Array.from({ length: 10 }, () => crypto.randomUUID());
  const to = (orderId: string) => ({ orderId, customerId: `C'${orderId.slice(0, 4)}`, email: 'c@example.com' });
  await db.transaction(async (tx) => {
    for (const orderId of orders) {
      storeNotification(tx, { id: crypto.randomUUID(), ...to(orderId), ...confirmed(orderId, 1999, 'EUR') });
      storeNotification(tx, { id: crypto.randomUUID(), ...to(orderId), ...cancelled(orderId, 'customer_request') });
    }
    // A repeat: the first of an order's kind is kept.
    storeNotification(tx, { id: crypto.randomUUID(), ...to(orders[0]!), ...confirmed(orders[0]!, 1, 'EUR') });
  });
  t.is(statements.filter((s) => s.includes('INSERT INTO notifications')).length, 1, statements.join('\n'));
  const { rows } = await pool.query(
    `SELECT order_id AS "orderId", customer_id AS "customerId", email, kind, body, channel, status, trace_context AS "traceContext"
       FROM notifications WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, kind`,
    [orders],
  );
  t.is(rows.length, 20);
  t.like(
    rows.find((r) => r.orderId === orders[0] && r.kind === 'order_confirmed'),
    {
      ...to(orders[0]!),
      body: confirmed(orders[0]!, 1999, 'EUR').body,
      channel: 'email',
      status: 'pending',
      traceContext: {},
    },
  );
});
