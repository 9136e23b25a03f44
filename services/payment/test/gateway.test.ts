import { randomUUID } from 'node:crypto';
import test from 'ava';
import { alwaysApproves, alwaysDeclines, decide, drawFor } from '../src/domain/gateway.js';

const orderIds = Array.from({ length: 2000 }, () => randomUUID());

test('when the method is pm_card_visa, then the charge is approved whatever the rate', (t) => {
  t.is(alwaysApproves, 'pm_card_visa');
  for (const id of orderIds.slice(0, 200)) t.is(decide(id, 'pm_card_visa', { successRate: 0, sandbox: true }), 'approved');
});

test('when the method is pm_card_declined, then the charge is declined whatever the rate', (t) => {
  t.is(alwaysDeclines, 'pm_card_declined');
  for (const id of orderIds.slice(0, 200)) t.is(decide(id, 'pm_card_declined', { successRate: 1, sandbox: true }), 'declined');
});

test('when another method is charged twice for one order, then both answers are the same', (t) => {
  for (const id of orderIds.slice(0, 200)) {
    const first = decide(id, 'pm_other', { successRate: 0.5, sandbox: true });
    t.is(decide(id, 'pm_other', { successRate: 0.5, sandbox: true }), first);
    t.is(decide(id, undefined, { successRate: 0.5, sandbox: true }), first);
  }
});

test('when the success rate is 0, then every other charge is declined', (t) => {
  t.true(orderIds.every((id) => decide(id, undefined, { successRate: 0, sandbox: true }) === 'declined'));
});

test('when the success rate is 1, then every other charge is approved', (t) => {
  t.true(orderIds.every((id) => decide(id, 'pm_other', { successRate: 1, sandbox: true }) === 'approved'));
});

test('when the success rate is 0.5, then about half of 2000 orders are approved', (t) => {
  const approved =
    orderIds.filter((id) => decide(id, undefined, { successRate: 0.5, sandbox: true }) === 'approved').length / orderIds.length;
  t.true(approved >= 0.45 && approved <= 0.55, `approved ${approved}`);
});

test('when a draw is made for an order id, then it is in [0, 1) and the same each time', (t) => {
  for (const id of [...orderIds, '', 'x']) {
    const draw = drawFor(id);
    t.true(draw >= 0 && draw < 1, `${id}: ${draw}`);
    t.is(drawFor(id), draw);
  }
});

test('when sandbox mode is off, then the test methods are ordinary methods', (t) => {
  const live = { successRate: 0, sandbox: false };
  t.true(orderIds.slice(0, 200).every((id) => decide(id, alwaysApproves, live) === 'declined'));
  t.true(orderIds.slice(0, 200).every((id) => decide(id, alwaysDeclines, { successRate: 1, sandbox: false }) === 'approved'));
});
