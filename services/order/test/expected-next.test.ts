import { producerOf } from '@orderly/events';
import test from 'ava';
import { describeExpectation, expectedNext } from '../src/domain/expected-next.js';
import { lifecycle, outcomes, statuses } from '../src/domain/lifecycle.js';
import { isTerminal, judge } from '../src/domain/lifecycle-rules.js';

for (const mode of ['choreography', 'orchestration'] as const) {
  for (const status of statuses.filter((s) => !isTerminal(s))) {
    test(`when an order is ${status} in ${mode}, then each event it waits for moves it on, from the service that produces it`, (t) => {
      const expectation = expectedNext(status, mode);
      if (!expectation) return t.fail(`nothing expected for ${status}`);
      t.true(expectation.events.length > 0);
      for (const event of expectation.events) {
        t.true(
          outcomes.some((o) => lifecycle[o].on === event && judge(status, o) === 'apply'),
          `${event} moves ${status} on`,
        );
        t.is(producerOf(event), expectation.from);
      }
    });
  }
  for (const status of statuses.filter(isTerminal)) {
    test(`when an order is ${status} in ${mode}, then nothing is expected`, (t) => {
      t.is(expectedNext(status, mode), undefined);
    });
  }
}

test('when an operator reads what an order waits for, then it names the events, their producer and, orchestrated, the command', (t) => {
  t.is(describeExpectation(expectedNext('PENDING', 'choreography')!), 'inventory.reserved or inventory.rejected from inventory');
  t.is(
    describeExpectation(expectedNext('RESERVED', 'orchestration')!),
    'payment.completed or payment.failed from payment, in reply to payment.charge',
  );
  t.is(
    describeExpectation(expectedNext('CONFIRMED', 'orchestration')!),
    "shipment.dispatched from shipping, once inventory.commit and shipping.create are answered and the shipment's dispatch timer fires",
  );
  t.is(
    describeExpectation(expectedNext('CONFIRMED', 'choreography')!),
    "shipment.dispatched from shipping, once the shipment's dispatch timer fires",
  );
  t.is(
    describeExpectation(expectedNext('SHIPPED', 'orchestration')!),
    "shipment.delivered from shipping, once the shipment's delivery timer fires",
  );
});
