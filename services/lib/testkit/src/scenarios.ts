import type { OrderLine } from './api-client.js';

/** A customer as the scenarios and tests name them: C<n>, c<n>@example.com. */
export const customer = (n = 1) => ({ customerId: `C${n}`, email: `c${n}@example.com` });

/** The demo catalogue (inventory's SEED_DEMO_CATALOGUE) as the scenarios use it. */
export const catalogue = {
  tshirt: 'TSHIRT-BLK-M',
  /** Restocked to 5 before the scenarios run, so that 999 is out of stock. */
  scarce: 'TSHIRT-GRY-S',
  laptop: 'LAPTOP-123',
  book: 'BOOK-ALICE',
} as const;

export interface OutcomeScenario {
  title: string;
  items: OrderLine[];
  paymentMethod?: string;
  expect: { status: 'CONFIRMED' | 'REJECTED'; reason?: 'out_of_stock' | 'unknown_product' | 'payment_declined' };
}

/**
 * The README's scenarios that end in a decision: one definition that the e2e suite asserts in
 * depth, and the demo and the live-cluster tool walk through against a running stack.
 */
export const outcomeScenarios = {
  confirmed: {
    title: 'An order for stock in hand is confirmed',
    items: [{ sku: catalogue.tshirt, qty: 1 }],
    paymentMethod: 'pm_card_visa',
    expect: { status: 'CONFIRMED' },
  },
  outOfStock: {
    title: '999 grey T-shirts (5 in stock) are rejected out of stock',
    items: [{ sku: catalogue.scarce, qty: 999 }],
    expect: { status: 'REJECTED', reason: 'out_of_stock' },
  },
  unknownProduct: {
    title: 'An unknown product is rejected',
    items: [{ sku: 'NO-SUCH-SKU', qty: 1 }],
    expect: { status: 'REJECTED', reason: 'unknown_product' },
  },
  declined: {
    title: 'A declined card rejects the order',
    items: [{ sku: catalogue.laptop, qty: 1 }],
    paymentMethod: 'pm_card_declined',
    expect: { status: 'REJECTED', reason: 'payment_declined' },
  },
} satisfies Record<string, OutcomeScenario>;

/** The order body of a scenario for a customer. */
export function scenarioOrder(s: OutcomeScenario, who = customer(100)) {
  return { ...who, items: s.items, ...(s.paymentMethod ? { paymentMethod: s.paymentMethod } : {}) };
}

/**
 * Whether an order ended as the scenario expects. CONFIRMED counts as reached once the order has
 * moved on to SHIPPED or DELIVERED (shipping may be quick).
 */
export function outcomeMatches(s: OutcomeScenario, order: { status: string; reason?: string }): boolean {
  const reached = order.status === s.expect.status || (s.expect.status === 'CONFIRMED' && ['SHIPPED', 'DELIVERED'].includes(order.status));
  return reached && (s.expect.reason === undefined || order.reason === s.expect.reason);
}
