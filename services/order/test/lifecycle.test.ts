import { cancellationReasons, consumerQueues, type EventData, rejectionReasons } from '@orderly/events';
import test from 'ava';
import fc from 'fast-check';
import { lifecycle, type Outcome, outcomes, type Reply, replies, type Status, statuses } from '../src/domain/lifecycle.js';
import {
  awaitedReplies,
  canCancel,
  isDecided,
  isTerminal,
  judge,
  openStatuses,
  outcomeOf,
  stepReplies,
} from '../src/domain/lifecycle-rules.js';
import { orderSaga } from '../src/saga/definition.js';

/** Where the table's transitions lead from a status. */
const next = (s: Status) => outcomes.filter((o) => judge(s, o) === 'apply').map((o) => lifecycle[o].to);
function reachableFrom(start: Status): Set<Status> {
  const seen = new Set<Status>([start]);
  for (const s of seen) for (const n of next(s)) seen.add(n);
  return seen;
}
const terminal = statuses.filter(isTerminal);

test('when the table is read, then DELIVERED, REJECTED and CANCELLED are terminal and the rest are open', (t) => {
  t.deepEqual(terminal, ['DELIVERED', 'REJECTED', 'CANCELLED']);
  t.deepEqual(openStatuses, ['PENDING', 'RESERVED', 'CONFIRMED', 'SHIPPED']);
});

test('when an order is in a terminal status, then no outcome moves it, and none waits for it either', (t) => {
  for (const s of terminal) for (const o of outcomes) t.is(judge(s, o), 'stale', `${o} in ${s}`);
});

test('when an order is placed, then every status is reachable, and from each one a terminal status is', (t) => {
  t.deepEqual([...reachableFrom('PENDING')].sort(), [...statuses].sort());
  for (const s of statuses)
    t.true(
      [...reachableFrom(s)].some((r) => isTerminal(r)),
      s,
    );
});

test('when an outcome applies, then the order only moves forward: it can never come back to where it was', (t) => {
  for (const o of outcomes) {
    for (const s of lifecycle[o].from) t.false(reachableFrom(lifecycle[o].to).has(s), `${o}: ${s} → ${lifecycle[o].to} → … → ${s}`);
  }
});

test('when the same outcome comes again after it applied, then it is ignored, not applied twice and not waited on', (t) => {
  for (const o of outcomes) t.is(judge(lifecycle[o].to, o), 'stale', o);
});

test('when an outcome is early, then the step it waits for can still happen, and early and applicable never overlap', (t) => {
  for (const o of outcomes) {
    const early = lifecycle[o].early ?? [];
    for (const s of early) {
      t.false(lifecycle[o].from.includes(s), `${o} in ${s}`);
      t.true(
        lifecycle[o].from.some((f) => reachableFrom(s).has(f)),
        `${o} early in ${s} can apply later`,
      );
    }
  }
});

test('when the table emits an event with a reason, then the reason is one the catalog has for that event', (t) => {
  for (const o of outcomes) {
    const { emits, reason, to } = lifecycle[o];
    if (to === 'REJECTED') t.is(emits, 'order.rejected', o);
    if (to === 'CANCELLED') t.is(emits, 'order.cancelled', o);
    if (emits === 'order.rejected') t.true((rejectionReasons as readonly string[]).includes(reason), o);
    if (emits === 'order.cancelled') t.true((cancellationReasons as readonly string[]).includes(reason), o);
  }
  // Every cancellation reason of the catalog is one the table can emit: none is dead, none missing.
  t.deepEqual(
    outcomes
      .filter((o) => lifecycle[o].emits === 'order.cancelled')
      .map((o) => lifecycle[o].reason)
      .sort(),
    [...cancellationReasons].sort(),
  );
});

test('when an order is cancelled, whatever the cause, then the saga is undone; no other outcome undoes it', (t) => {
  for (const o of outcomes) t.is(Boolean(lifecycle[o].compensates), lifecycle[o].to === 'CANCELLED', o);
});

const reserved = { totalCents: 129_900, currency: 'EUR' };
const replyData = {
  'inventory.reserved': fc.record({ totalCents: fc.nat(), currency: fc.constantFrom('EUR', 'USD') }),
  'inventory.rejected': fc.record({ reason: fc.constantFrom('out_of_stock', 'unknown_product') }),
  'payment.completed': fc.record({
    amountCents: fc.oneof(fc.constant(reserved.totalCents), fc.nat()),
    currency: fc.constantFrom('EUR', 'USD'),
  }),
  'payment.failed': fc.constant({ reason: 'payment_declined' }),
  'shipment.dispatched': fc.record({ carrier: fc.string(), trackingNumber: fc.string() }),
  'shipment.delivered': fc.constant({}),
} satisfies Record<Reply, fc.Arbitrary<object>>;
const anyReply = fc.oneof(
  ...replies.map((type) => replyData[type].map((data) => ({ type, data: { orderId: 'o', ...data } as unknown as EventData<Reply> }))),
);

test('when any reply comes, then exactly one row of the table fits it, and a payment confirms only the total reserved', (t) => {
  fc.assert(
    fc.property(anyReply, (reply) => {
      const { outcome } = outcomeOf(reply, reserved);
      if (lifecycle[outcome].on !== reply.type) return false;
      if (reply.type !== 'payment.completed') return true;
      const { amountCents, currency } = reply.data as EventData<'payment.completed'>;
      const matches = amountCents === reserved.totalCents && currency === reserved.currency;
      return outcome === (matches ? 'paid' : 'payment_mismatch');
    }),
    { seed: 230_001 },
  );
  t.deepEqual(outcomeOf({ type: 'inventory.reserved', data: { orderId: 'o', lines: [], totalCents: 5, currency: 'EUR' } }, reserved), {
    outcome: 'reserved',
    facts: { totalCents: 5, currency: 'EUR' },
  });
  t.pass();
});

/** A run the table allows from PENDING: each outcome applies in the status the one before left. */
const run = fc.array(fc.nat(), { minLength: 1, maxLength: 8 }).map((picks) => {
  const path: Outcome[] = [];
  let status: Status = 'PENDING';
  for (const pick of picks) {
    const applying = outcomes.filter((o) => judge(status, o) === 'apply');
    if (applying.length === 0) break;
    const o = applying[pick % applying.length]!;
    path.push(o);
    status = lifecycle[o].to;
  }
  return { path, status };
});

test('when the outcomes of a run arrive in any order and any of them twice, then the order ends where the run in order ends', (t) => {
  fc.assert(
    fc.property(
      run.chain(({ path, status }) =>
        fc
          .subarray(path)
          .chain((again) => fc.shuffledSubarray([...path, ...again], { minLength: path.length + again.length }))
          .map((arrivals) => ({ arrivals, status })),
      ),
      ({ arrivals, status }) => {
        // An early outcome goes back in the queue (the consumer retries it); a stale one is dropped.
        const queue = [...arrivals];
        let current: Status = 'PENDING';
        for (let turns = 0; queue.length > 0; turns++) {
          if (turns > 1000) return false;
          const o = queue.shift()!;
          const verdict = judge(current, o);
          if (verdict === 'apply') current = lifecycle[o].to;
          if (verdict === 'early') queue.push(o);
        }
        return current === status;
      },
    ),
    { seed: 230_002, numRuns: 500 },
  );
  t.pass();
});

test('when the payment arrives before the reservation, then the order waits for RESERVED, never skipping it', (t) => {
  t.is(judge('PENDING', 'paid'), 'early');
  t.is(judge('PENDING', 'payment_declined'), 'early');
  t.is(judge('RESERVED', 'dispatched'), 'early');
  t.is(judge('CONFIRMED', 'delivered'), 'early');
  t.is(judge('SHIPPED', 'paid'), 'stale');
  t.is(judge('CONFIRMED', 'reserved'), 'stale', 'a late reservation does not take a confirmed order back');
});

test('when an order has shipped, then the customer can no longer cancel it; once past RESERVED, the saga has decided', (t) => {
  t.deepEqual(statuses.filter(canCancel), ['PENDING', 'RESERVED', 'CONFIRMED']);
  t.deepEqual(statuses.filter(isDecided), ['CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED']);
});

test('when an order is open, then what it waits for are replies the topology delivers to the order service, in both modes', (t) => {
  for (const mode of ['choreography', 'orchestration'] as const) {
    const bound = consumerQueues(mode)
      .filter((q) => q.queue === 'order')
      .flatMap((q) => q.subscriptions.map((s) => s.routingKey));
    for (const reply of replies) t.true(bound.includes(reply), `${reply} reaches the order service in ${mode}`);
  }
  t.deepEqual(awaitedReplies('PENDING'), ['inventory.reserved', 'inventory.rejected']);
  t.deepEqual(awaitedReplies('DELIVERED'), []);
});

test('when the orchestrated saga is read, then each step that moves the order answers to the replies the table moves it with', (t) => {
  t.deepEqual(stepReplies('PENDING'), { succeeded: ['inventory.reserved'], failed: ['inventory.rejected'] });
  t.deepEqual(stepReplies('RESERVED'), { succeeded: ['payment.completed'], failed: ['payment.failed'] });
  for (const step of orderSaga) {
    const ownReplies = [...step.succeeded, ...step.failed];
    const lifecycleReplies = ownReplies.filter((r) => (replies as readonly string[]).includes(r));
    // A step either takes all its replies from the table (in the status it runs in), or none.
    if (lifecycleReplies.length > 0) t.deepEqual(ownReplies.sort(), [...awaitedReplies(step.while)].sort(), step.name);
  }
  t.deepEqual(
    orderSaga.map((s) => s.while),
    ['PENDING', 'RESERVED', 'CONFIRMED', 'CONFIRMED'],
  );
});
