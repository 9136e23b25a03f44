import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import test from 'ava';
import { asyncApiDocument } from '../src/asyncapi.js';
import { breakingChanges } from '../src/asyncapi-compat.js';
import { sagaModes } from '../src/topology.js';

const parser = new Parser();
const baseline = JSON.parse(readFileSync(new URL('../asyncapi.baseline.json', import.meta.url), 'utf8'));

for (const mode of sagaModes) {
  test(`when the ${mode} AsyncAPI document is parsed by the AsyncAPI parser, then it has no errors and every message has a sender`, async (t) => {
    const { document, diagnostics } = await parser.parse(JSON.stringify(asyncApiDocument(mode)));
    const errors = diagnostics.filter((d) => d.severity === 0);
    t.deepEqual(
      errors.map((e) => `${e.path.join('.')}: ${e.message}`),
      [],
    );
    t.truthy(document);
    const sent = new Set(
      document!
        .operations()
        .filterBySend()
        .flatMap((op) =>
          op
            .messages()
            .all()
            .map((m) => m.name()),
        ),
    );
    const received = new Set(
      document!
        .operations()
        .filterByReceive()
        .flatMap((op) =>
          op
            .messages()
            .all()
            .map((m) => m.name()),
        ),
    );
    t.true(sent.has('order.placed'));
    t.true(received.has('order.placed'), 'the audit and inventory receive it');
    t.is(sent.has('inventory.reserve'), mode === 'orchestration', 'commands are sent only in orchestration');
  });
}

test('when the catalog is compared with the committed baseline, then no change breaks a consumer', (t) => {
  t.deepEqual(breakingChanges(baseline, asyncApiDocument('orchestration')), []);
});

test('when a field is removed, retyped or newly required, then the compatibility check names the break', (t) => {
  const changed = structuredClone(baseline);
  const data = changed.components.messages.order_placed.payload.properties.data;
  delete data.properties.paymentMethod;
  data.properties.orderId = { type: 'integer' };
  data.properties.coupon = { type: 'string' };
  data.required.push('coupon');
  delete changed.components.messages.order_shipped;
  t.deepEqual(breakingChanges(baseline, changed).sort(), [
    'order.placed: data.coupon is newly required',
    'order.placed: data.orderId changed type from string to integer',
    'order.placed: data.paymentMethod was removed',
    'order.shipped was removed',
  ]);
  const added = structuredClone(baseline);
  added.components.messages.order_placed.payload.properties.data.properties.note = { type: 'string' };
  t.deepEqual(breakingChanges(baseline, added), [], 'a new optional field breaks nobody');
});

test('when the committed copies in docs/api are compared with the generated documents, then they are current (npm run contracts)', (t) => {
  for (const mode of sagaModes) {
    const committed = JSON.parse(readFileSync(new URL(`../../../../docs/api/asyncapi.${mode}.json`, import.meta.url), 'utf8'));
    t.deepEqual(committed, asyncApiDocument(mode), `docs/api/asyncapi.${mode}.json is stale: run npm run contracts`);
  }
});
