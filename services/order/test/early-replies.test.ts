import test from 'ava';
import { orderSaga } from '../src/saga/definition.js';
import { firstStepToRun, isEarlyReply } from '../src/saga/early-replies.js';

const step = (name: string) => orderSaga.findIndex((s) => s.name === name);

test('when the shipment is created while the saga waits for the stock commit, then it is an early reply', (t) => {
  t.true(isEarlyReply(orderSaga, step('commit'), 'shipment.created'));
  // A reply of the current or an earlier step is not early: the first advances, the second is stale.
  t.false(isEarlyReply(orderSaga, step('commit'), 'inventory.committed'));
  t.false(isEarlyReply(orderSaga, step('commit'), 'payment.completed'));
  t.false(isEarlyReply(orderSaga, step('commit'), 'order.cancelled'));
});

test('when the saga reaches a step whose reply came early, then it skips it, and past the last one it is complete', (t) => {
  t.is(firstStepToRun(orderSaga, step('ship'), []), step('ship'));
  t.is(firstStepToRun(orderSaga, step('ship'), ['shipment.created']), orderSaga.length);
  t.is(firstStepToRun(orderSaga, step('commit'), ['shipment.created']), step('commit'));
  t.is(firstStepToRun(orderSaga, step('commit'), ['inventory.committed', 'shipment.created']), orderSaga.length);
});
