import { cancellationReasons, rejectionReasons } from '@orderly/events';
import test from 'ava';
import { cancelled, confirmed, formatMoney, rejected } from '../src/domain/messages.js';

const orderId = '3f2c9a71-5b0e-4d8a-9c1f-2e7b6a4d0c95';

test('when an amount is formatted as EUR, then it reads as euros with two decimals', (t) => {
  t.is(formatMoney(133_897, 'EUR'), '€1,338.97');
  t.is(formatMoney(5, 'EUR'), '€0.05');
});

test('when an order is confirmed, then the message names the order and the amount paid', (t) => {
  const message = confirmed(orderId, 3998, 'EUR');
  t.is(message.kind, 'order_confirmed');
  t.regex(message.subject, /confirmed/);
  t.true(message.subject.includes(orderId.slice(0, 8)));
  t.true(message.body.includes(orderId));
  t.true(message.body.includes('€39.98'), message.body);
});

for (const reason of rejectionReasons) {
  test(`when an order is rejected for ${reason}, then the message names the order and gives a human reason`, (t) => {
    const message = rejected(orderId, reason);
    t.is(message.kind, 'order_rejected');
    t.true(message.subject.includes(orderId.slice(0, 8)));
    t.true(message.body.includes(orderId));
    t.false(message.body.includes(reason), message.body);
    t.regex(message.body, /because [a-z ]+\./);
  });
}

test('when the rejection reasons differ, then so do the sentences the customer reads', (t) => {
  const bodies = new Set(rejectionReasons.map((r) => rejected(orderId, r).body));
  t.is(bodies.size, rejectionReasons.length);
});

test('when an order is cancelled, then each reason the catalog has reads as its own sentence, none as the customer asking', (t) => {
  const bodies = cancellationReasons.map((r) => cancelled(orderId, r).body);
  t.is(new Set(bodies).size, cancellationReasons.length);
  t.regex(cancelled(orderId, 'payment_mismatch').body, /because the payment did not match the order total\./);
  t.regex(cancelled(orderId, 'customer_request').body, /because you asked us to\./);
});
