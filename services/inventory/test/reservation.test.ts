import test from 'ava';
import { demoCatalogue, mergeLines, planReservation, type StockRow } from '../src/domain/reservation.js';

const stock = (...rows: [sku: string, available: number, priceCents: number][]) =>
  new Map<string, StockRow>(rows.map(([sku, available, priceCents]) => [sku, { sku, available, priceCents, currency: 'EUR' }]));

const shop = stock(['BOOK', 10, 1299], ['LAPTOP', 2, 129_900], ['SHIRT', 5, 1999]);

test('when the same SKU is on two lines, then it is one demand with the quantities summed, sorted by SKU', (t) => {
  t.deepEqual(
    mergeLines([
      { sku: 'SHIRT', qty: 2 },
      { sku: 'BOOK', qty: 1 },
      { sku: 'SHIRT', qty: 3 },
    ]),
    [
      { sku: 'BOOK', qty: 1 },
      { sku: 'SHIRT', qty: 5 },
    ],
  );
});

test('when every line is in stock, then all lines are reserved at the stock prices and the total is their sum', (t) => {
  const plan = planReservation(
    [
      { sku: 'SHIRT', qty: 2 },
      { sku: 'LAPTOP', qty: 1 },
    ],
    shop,
  );
  t.deepEqual(plan, {
    ok: true,
    lines: [
      { sku: 'LAPTOP', qty: 1, unitPriceCents: 129_900 },
      { sku: 'SHIRT', qty: 2, unitPriceCents: 1999 },
    ],
    totalCents: 129_900 + 2 * 1999,
    currency: 'EUR',
  });
});

test('when a line asks for exactly what is available, then it is reserved', (t) => {
  t.true(planReservation([{ sku: 'LAPTOP', qty: 2 }], shop).ok);
});

test('when one line is short, then nothing is reserved and only the short SKUs are listed', (t) => {
  const plan = planReservation(
    [
      { sku: 'BOOK', qty: 1 },
      { sku: 'LAPTOP', qty: 3 },
      { sku: 'SHIRT', qty: 6 },
    ],
    shop,
  );
  t.deepEqual(plan, { ok: false, reason: 'out_of_stock', skus: ['LAPTOP', 'SHIRT'] });
});

test('when two lines of one SKU each fit but together exceed the stock, then the order is out of stock', (t) => {
  const plan = planReservation(
    [
      { sku: 'SHIRT', qty: 3 },
      { sku: 'SHIRT', qty: 3 },
    ],
    shop,
  );
  t.deepEqual(plan, { ok: false, reason: 'out_of_stock', skus: ['SHIRT'] });
});

test('when a SKU is unknown, then the order is rejected as unknown_product naming it, even if another line is short', (t) => {
  const plan = planReservation(
    [
      { sku: 'NOPE-2', qty: 1 },
      { sku: 'LAPTOP', qty: 99 },
      { sku: 'NOPE-1', qty: 1 },
    ],
    shop,
  );
  t.deepEqual(plan, { ok: false, reason: 'unknown_product', skus: ['NOPE-1', 'NOPE-2'] });
});

test('when the demo catalogue is seeded, then it holds the SKUs and stock the scenarios of the README use', (t) => {
  t.deepEqual(Object.fromEntries(demoCatalogue.map((p) => [p.sku, p.available])), {
    'TSHIRT-BLK-M': 100,
    'TSHIRT-GRY-S': 5,
    'LAPTOP-123': 10,
    'BOOK-ALICE': 50,
  });
  for (const p of demoCatalogue) t.true(Number.isInteger(p.priceCents) && p.priceCents > 0, p.sku);
});

test('when a reservation has no lines or a non-positive quantity, then the rule refuses it instead of pricing it', (t) => {
  const stock = new Map([['A', { sku: 'A', priceCents: 100, currency: 'EUR', available: 10 }]]);
  t.throws(() => planReservation([], stock), { instanceOf: RangeError });
  t.throws(() => planReservation([{ sku: 'A', qty: -3 }], stock), { instanceOf: RangeError });
});
