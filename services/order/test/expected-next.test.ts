import { producerOf } from '@orderly/events';
import test from 'ava';
import { describeExpectation, expectedNext } from '../src/domain/expected-next.js';
import { judge, type Status, statuses } from '../src/domain/status.js';

/** The status each participant outcome moves the order to (the order service's handlers). */
const movesTo: Record<string, Status> = {
  'inventory.reserved': 'RESERVED',
  'inventory.rejected': 'REJECTED',
  'payment.completed': 'CONFIRMED',
  'payment.failed': 'REJECTED',
  'shipment.dispatched': 'SHIPPED',
  'shipment.delivered': 'DELIVERED',
};
const terminal: Status[] = ['DELIVERED', 'REJECTED', 'CANCELLED'];

for (const mode of ['choreography', 'orchestration'] as const) {
  for (const status of statuses.filter((s) => !terminal.includes(s))) {
    test(`when an order is ${status} in ${mode}, then each event it waits for moves it on, from the service that produces it`, (t) => {
      const expectation = expectedNext(status, mode);
      if (!expectation) return t.fail(`nothing expected for ${status}`);
      t.true(expectation.events.length > 0);
      for (const event of expectation.events) {
        t.is(judge(status, movesTo[event]!), 'apply', `${event} moves ${status} on`);
        t.is(producerOf(event), expectation.from);
      }
    });
  }
  for (const status of terminal) {
    test(`when an order is ${status} in ${mode}, then nothing is expected`, (t) => {
      t.is(expectedNext(status, mode), undefined);
    });
  }
}

test('when an operator reads what a pending order waits for, then it names the events and their producer', (t) => {
  t.is(describeExpectation(expectedNext('PENDING', 'choreography')!), 'inventory.reserved or inventory.rejected from inventory');
  t.is(
    describeExpectation(expectedNext('RESERVED', 'orchestration')!),
    'payment.completed or payment.failed from payment, in reply to payment.charge',
  );
  t.regex(describeExpectation(expectedNext('CONFIRMED', 'orchestration')!), /inventory\.commit and shipping\.create/);
});
