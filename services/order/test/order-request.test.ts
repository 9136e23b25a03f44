import test from 'ava';
import { maxLines, type PlaceOrder, placeOrderSchema, requestHash } from '../src/domain/order-request.js';

const valid = {
  customerId: 'cust-1',
  email: 'ada@example.com',
  items: [
    { sku: 'TSHIRT-BLK-M', qty: 2 },
    { sku: 'BOOK-ALICE', qty: 1 },
  ],
  paymentMethod: 'pm_card_visa',
};

/** The paths of the fields a request is rejected for, or [] when it is accepted. */
function rejectedFields(input: unknown): string[] {
  const result = placeOrderSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
}

test('when a well-formed order is placed, then it is accepted as sent', (t) => {
  t.deepEqual(placeOrderSchema.parse(valid), valid);
  const { paymentMethod: _, ...withoutMethod } = valid;
  t.deepEqual(rejectedFields(withoutMethod), []);
});

const invalid: [string, Record<string, unknown>, string][] = [
  ['customerId is empty', { customerId: '' }, 'customerId'],
  ['customerId is only whitespace', { customerId: '   ' }, 'customerId'],
  ['a sku is only whitespace', { items: [{ sku: ' \t ', qty: 1 }] }, 'items.0.sku'],
  ['qty is 0', { items: [{ sku: 'A', qty: 0 }] }, 'items.0.qty'],
  ['qty is negative', { items: [{ sku: 'A', qty: -1 }] }, 'items.0.qty'],
  ['qty is 1.5', { items: [{ sku: 'A', qty: 1.5 }] }, 'items.0.qty'],
  ['qty is a string', { items: [{ sku: 'A', qty: '2' }] }, 'items.0.qty'],
  ['the second line is bad', { items: [{ sku: 'A', qty: 1 }, { sku: 'B' }] }, 'items.1.qty'],
  ['there are no lines', { items: [] }, 'items'],
  ['there are too many lines', { items: Array.from({ length: maxLines + 1 }, (_, i) => ({ sku: `S${i}`, qty: 1 })) }, 'items'],
  ['the email is not an address', { email: 'ada.example.com' }, 'email'],
];
for (const [what, change, field] of invalid) {
  test(`when ${what}, then the order is rejected naming ${field}`, (t) => {
    t.deepEqual(rejectedFields({ ...valid, ...change }), [field]);
  });
}

test(`when there are exactly ${maxLines} lines, then the order is accepted`, (t) => {
  t.deepEqual(rejectedFields({ ...valid, items: Array.from({ length: maxLines }, (_, i) => ({ sku: `S${i}`, qty: 1 })) }), []);
});

test('when the body has an unknown top-level field, then the order is rejected naming it', (t) => {
  const result = placeOrderSchema.safeParse({ ...valid, discount: 100 });
  t.false(result.success);
  t.deepEqual(
    result.error?.issues.map((i) => ({ code: i.code, keys: 'keys' in i ? i.keys : [] })),
    [{ code: 'unrecognized_keys', keys: ['discount'] }],
  );
});

test('when a line has an unknown field, then the order is rejected naming it under that line', (t) => {
  const result = placeOrderSchema.safeParse({ ...valid, items: [{ sku: 'A', qty: 1, priceCents: 1 }] });
  t.false(result.success);
  t.deepEqual(
    result.error?.issues.map((i) => ({ path: i.path.join('.'), keys: 'keys' in i ? i.keys : [] })),
    [{ path: 'items.0', keys: ['priceCents'] }],
  );
});

test('when the same request is sent twice, also with its keys in another order, then the hashes are equal', (t) => {
  const reordered: PlaceOrder = {
    paymentMethod: valid.paymentMethod,
    items: valid.items.map(({ sku, qty }) => ({ qty, sku })),
    email: valid.email,
    customerId: valid.customerId,
  };
  t.is(requestHash(structuredClone(valid)), requestHash(valid));
  t.is(requestHash(reordered), requestHash(valid));
});

const variants: [string, PlaceOrder][] = [
  ['its customerId', { ...valid, customerId: 'cust-2' }],
  ['its email', { ...valid, email: 'bob@example.com' }],
  ['its paymentMethod', { ...valid, paymentMethod: 'pm_card_declined' }],
  ['leaving paymentMethod out', { ...valid, paymentMethod: undefined }],
  ['a sku', { ...valid, items: [{ sku: 'LAPTOP-123', qty: 2 }, valid.items[1]!] }],
  ['a qty', { ...valid, items: [{ sku: 'TSHIRT-BLK-M', qty: 3 }, valid.items[1]!] }],
  ['a line fewer', { ...valid, items: [valid.items[0]!] }],
];
for (const [what, other] of variants) {
  test(`when a request differs by ${what}, then its hash differs`, (t) => {
    t.not(requestHash(other), requestHash(valid));
  });
}
