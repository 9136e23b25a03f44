/**
 * The invariants, checked over the whole history once the system has settled. Each violation
 * names the orders it concerns, so the report can print their history.
 */
import type { SagaMode } from '@orderly/events';
import type { Facts } from './facts.ts';
import type { InjectedPoison } from './faults.ts';
import type { History, Operation } from './history.ts';

export interface Violation {
  invariant: string;
  detail: string;
  orderIds: string[];
}

export interface CheckResult {
  violations: Violation[];
  accepted: number;
  indeterminate: { operations: number; orderFound: number };
  outcomes: Record<string, number>;
  lost: number;
  doubled: number;
  sagaTimeouts: number;
  conservation: {
    held: boolean;
    perSku: Record<string, { initial: number; available: number; reserved: number; sold: number; expectedSold: number }>;
  };
  notifications: number;
  /** Delivered orders whose SHIPPED status was skipped (no order.shipped, so no shipped notification). */
  skippedShipped: number;
  auditEvents: number;
  dlq: { expected: number; found: number };
}

const terminal = new Set(['DELIVERED', 'REJECTED', 'CANCELLED']);
const confirmedLike = new Set(['CONFIRMED', 'SHIPPED', 'DELIVERED']);
const outcome = (o: { status: string; reason?: string | undefined }) => (o.reason ? `${o.status}/${o.reason}` : o.status);

// Field by field: the order service stores lines as jsonb, which does not keep the keys' order.
const lines = (items: { sku: string; qty: number }[]) => items.map((l) => `${l.sku}×${l.qty}`).join(',');
const sameBody = (op: Operation, o: { items: { sku: string; qty: number }[]; paymentMethod?: unknown }) =>
  lines(op.body.items) === lines(o.items) && (op.body.paymentMethod ?? null) === ((o.paymentMethod as string | undefined) ?? null);

/** What an operation's inputs (and the answers it got) allow its order to end as. */
function allowedOutcomes(op: Operation, modes: readonly SagaMode[]): string[] {
  // An orchestrated step that got no reply in time cancels the order: allowed, but counted (once the run has orchestrated).
  const timeout = modes.includes('orchestration') ? ['CANCELLED/saga_timeout'] : [];
  switch (op.kind) {
    case 'declined':
      return ['REJECTED/payment_declined', ...timeout];
    case 'outOfStock':
      return ['REJECTED/out_of_stock', ...timeout];
    case 'unknownProduct':
      return ['REJECTED/unknown_product', ...timeout];
    case 'contended':
      return ['DELIVERED', 'REJECTED/out_of_stock', ...timeout];
    case 'cancelRace': {
      const answers = op.cancel ?? [];
      if (answers.some((a) => a.status === 200)) return ['CANCELLED/customer_request', 'CANCELLED/saga_timeout'];
      if (answers.some((a) => a.status === 409)) return ['DELIVERED', 'REJECTED/payment_declined', ...timeout];
      return ['DELIVERED', 'CANCELLED/customer_request', ...timeout];
    }
    default:
      return ['DELIVERED', ...timeout];
  }
}

export function checkInvariants(
  history: History,
  facts: Facts,
  /** modes: every saga mode the run had (a mode-switch fault adds the other). */
  options: { modes: readonly SagaMode[]; initialStock: Record<string, number>; poison: InjectedPoison[] },
): CheckResult {
  const violations: Violation[] = [];
  const add = (invariant: string, detail: string, orderIds: string[] = []) => violations.push({ invariant, detail, orderIds });
  const lostIds = new Set<string>();
  const doubledIds = new Set<string>();

  // --- which orders were accepted, and by which operation --------------------------------------
  const orderOp = new Map<string, Operation>();
  for (const op of history.operations) {
    if (op.orderIds.length > 1) {
      add(
        'one order per idempotency key',
        `operation ${op.id} (key ${op.idempotencyKey}) got ${op.orderIds.length} different orders`,
        op.orderIds,
      );
      for (const id of op.orderIds.slice(1)) doubledIds.add(id);
    }
    for (const id of op.orderIds) orderOp.set(id, op);
  }
  // Orders nobody got an answer for: each must belong to a request that got no answer, one each.
  const unanswered = history.operations.filter((op) => op.indeterminate && op.orderIds.length === 0);
  let indeterminateFound = 0;
  for (const [id, o] of facts.orders) {
    if (orderOp.has(id)) continue;
    const op = unanswered.find((u) => u.customerId === o.customerId && sameBody(u, o) && !u.orderIds.length);
    if (op) {
      op.orderIds.push(id);
      orderOp.set(id, op);
      indeterminateFound++;
    } else {
      add('no order appears twice', `order ${id} of ${o.customerId} matches no request that could have created it`, [id]);
      doubledIds.add(id);
    }
  }

  // --- every accepted order decided, with the outcome its inputs imply ------------------------
  const outcomes: Record<string, number> = {};
  let sagaTimeouts = 0;
  for (const [id, op] of orderOp) {
    const o = facts.orders.get(id);
    if (!o) {
      add('no accepted order lost', `order ${id} was accepted (202) but GET /orders does not list it`, [id]);
      lostIds.add(id);
      continue;
    }
    outcomes[outcome(o)] = (outcomes[outcome(o)] ?? 0) + 1;
    if (!terminal.has(o.status)) {
      add('every accepted order reaches a terminal status', `order ${id} is stuck in ${o.status}`, [id]);
      lostIds.add(id);
      continue;
    }
    if (o.reason === 'saga_timeout') sagaTimeouts++;
    if (!allowedOutcomes(op, options.modes).includes(outcome(o))) {
      add(
        'outcome as the inputs imply',
        `order ${id} (${op.kind}) ended ${outcome(o)}; allowed: ${allowedOutcomes(op, options.modes).join(', ')}`,
        [id],
      );
    }
  }

  // --- money ------------------------------------------------------------------------------------
  for (const [id, o] of facts.orders) {
    const p = facts.payments.get(id);
    const ev = facts.paymentEvents.get(id) ?? { completed: 0, refunded: 0 };
    if (ev.completed > 1) {
      add('each order charged at most once', `order ${id}: ${ev.completed} payment.completed events`, [id]);
      doubledIds.add(id);
    }
    if (ev.refunded > 1) {
      add('refunded at most once', `order ${id}: ${ev.refunded} payment.refunded events`, [id]);
      doubledIds.add(id);
    }
    if (confirmedLike.has(o.status)) {
      if (p?.status !== 'captured' || ev.completed !== 1) {
        add(
          'each confirmed order charged exactly once',
          `order ${id} ${o.status}: payment ${p?.status ?? 'none'}, ${ev.completed} payment.completed`,
          [id],
        );
      } else if (p.amount_cents !== o.totalCents) {
        add('charged what the order costs', `order ${id}: charged ${p.amount_cents}, total ${o.totalCents}`, [id]);
      }
    } else if (o.status === 'REJECTED' || o.status === 'CANCELLED') {
      if (p?.status === 'captured')
        add('no money kept on a cancelled or rejected order', `order ${id} ${outcome(o)} but its payment is captured`, [id]);
      if (p?.status === 'refunded' && (ev.completed !== 1 || ev.refunded !== 1)) {
        add('refunded exactly once', `order ${id}: refunded with ${ev.completed} charges and ${ev.refunded} refunds`, [id]);
      }
      if (p?.status !== 'refunded' && ev.completed > 0)
        add('no money kept on a cancelled or rejected order', `order ${id}: charged, not refunded`, [id]);
    }
  }

  // --- stock conserved per SKU --------------------------------------------------------------------
  const perSku: CheckResult['conservation']['perSku'] = {};
  let held = true;
  for (const [sku, initial] of Object.entries(options.initialStock)) {
    const s = facts.products.get(sku)!;
    let expectedSold = 0;
    for (const o of facts.orders.values()) {
      if (confirmedLike.has(o.status)) for (const line of o.items) if (line.sku === sku) expectedSold += line.qty;
    }
    perSku[sku] = { initial, available: s.available, reserved: s.reserved, sold: s.sold, expectedSold };
    const problems = [
      s.available + s.reserved + s.sold !== initial &&
        `available ${s.available} + reserved ${s.reserved} + sold ${s.sold} ≠ initial ${initial}`,
      (s.available < 0 || s.reserved < 0 || s.sold < 0) && 'a negative count',
      s.sold !== expectedSold && `sold ${s.sold} ≠ ${expectedSold} bought by confirmed orders (net of returns)`,
      s.reserved !== 0 && `${s.reserved} still reserved after every order was decided`,
    ].filter(Boolean);
    if (problems.length > 0) {
      held = false;
      add('stock conserved', `${sku}: ${problems.join('; ')}`);
    }
  }

  // --- notifications: each outcome once per channel -----------------------------------------------
  let notifications = 0;
  let skippedShipped = 0;
  for (const [id, o] of facts.orders) {
    if (!terminal.has(o.status)) continue;
    const refunded = facts.payments.get(id)?.status === 'refunded';
    // A status may be skipped (docs/architecture.md#the-orders-lifecycle): a parcel whose delivery the
    // order service handled before its dispatch goes CONFIRMED → DELIVERED and never emits
    // order.shipped. The customer is told of each outcome the order did go through.
    const shippedEmitted = facts.orderEvents.get(id)?.has('order.shipped') ?? false;
    if (o.status === 'DELIVERED' && !shippedEmitted) skippedShipped++;
    const required =
      o.status === 'DELIVERED'
        ? ['order_confirmed', ...(shippedEmitted ? ['order_shipped'] : []), 'order_delivered']
        : o.status === 'REJECTED'
          ? ['order_rejected']
          : ['order_cancelled', ...(refunded ? ['payment_refunded'] : [])];
    // A cancelled order may have been confirmed (and, in the known dispatch race, shipped) first.
    const optional = o.status === 'CANCELLED' ? ['order_confirmed', 'order_shipped'] : [];
    const stored = facts.notifications.get(id) ?? new Map<string, string[]>();
    for (const kind of required) {
      if (!stored.has(kind)) add('each outcome notified', `order ${id} ${outcome(o)}: no stored ${kind} notification`, [id]);
    }
    for (const [kind, statuses] of stored) {
      notifications++;
      if (!required.includes(kind) && !optional.includes(kind))
        add('no notification without its outcome', `order ${id} ${outcome(o)}: ${kind} notified`, [id]);
      if (statuses.length !== 1) {
        add('one stored notification per outcome', `order ${id}: ${kind} stored ${statuses.length} times`, [id]);
        doubledIds.add(id);
      }
      // The row is its email's outbox: marked sent once, in the commit after the SMTP accept (decision 0028).
      if (statuses.some((s) => s !== 'sent')) add('one email per outcome', `order ${id}: ${kind} email ${statuses.join(', ')}`, [id]);
    }
  }

  // --- the activity log holds every event and command exactly once -------------------------------
  for (const [eventId, orderId] of facts.published) {
    if (!facts.activity.has(eventId))
      add('audit log holds every event', `event ${eventId} of order ${orderId} was published but is not in the activity log`, [orderId]);
  }
  for (const [eventId, orderId] of facts.activity) {
    if (!facts.published.has(eventId))
      add('audit log holds only events that happened', `activity ${eventId} of order ${orderId} matches no outbox row`, [orderId]);
  }

  // --- customer history matches the orders -------------------------------------------------------
  const byCustomer = new Map<string, Map<string, string>>();
  for (const o of facts.orders.values()) {
    if (!byCustomer.has(o.customerId)) byCustomer.set(o.customerId, new Map());
    byCustomer.get(o.customerId)!.set(o.orderId, o.status);
  }
  for (const [customer, history] of facts.histories) {
    const expected = byCustomer.get(customer) ?? new Map<string, string>();
    const seen = new Map(history.map((h) => [h.orderId, h.status]));
    for (const [id, status] of expected) {
      if (!seen.has(id)) add('customer history matches orders', `${customer}: order ${id} missing from the history`, [id]);
      else if (seen.get(id) !== status)
        add('customer history matches orders', `${customer}: order ${id} is ${status}, history says ${seen.get(id)}`, [id]);
    }
    for (const id of seen.keys())
      if (!expected.has(id)) add('customer history matches orders', `${customer}: history lists unknown order ${id}`, [id]);
  }

  // --- nothing left behind -----------------------------------------------------------------------
  for (const [schema, n] of Object.entries(facts.unpublished)) if (n > 0) add('outboxes drained', `${schema}: ${n} rows never published`);
  for (const id of facts.sagasRunning) add('no saga left running', `saga of order ${id} is still running`, [id]);

  // --- dead-letter queues hold exactly the injected poison, each with its reason -----------------
  const expectedPoison = new Map(options.poison.map((p) => [p.messageId, p]));
  const found = new Set<string>();
  for (const m of facts.dlq) {
    const p = expectedPoison.get(m.messageId);
    if (!p) add('DLQs hold only the injected poison', `${m.queue}.dlq holds ${m.type} ${m.messageId}: ${m.reason}`);
    else if (p.queue !== m.queue)
      add('DLQs hold only the injected poison', `poison ${m.messageId} sent to ${p.queue} parked in ${m.queue}.dlq`);
    else if (!p.reason.test(m.reason))
      add('each poison message parked with its reason', `poison ${m.messageId} (${p.variant}) parked with reason "${m.reason}"`);
    else if (found.has(m.messageId)) add('each poison message parked once', `poison ${m.messageId} parked twice`);
    found.add(m.messageId);
  }
  for (const p of options.poison)
    if (!found.has(p.messageId)) add('every poison message parked', `poison ${p.messageId} (${p.variant} → ${p.queue}) is in no DLQ`);

  return {
    violations,
    accepted: orderOp.size,
    indeterminate: { operations: history.operations.filter((op) => op.indeterminate).length, orderFound: indeterminateFound },
    outcomes,
    lost: lostIds.size,
    doubled: doubledIds.size,
    sagaTimeouts,
    conservation: { held, perSku },
    notifications,
    skippedShipped,
    auditEvents: facts.activity.size,
    dlq: { expected: options.poison.length, found: found.size },
  };
}
