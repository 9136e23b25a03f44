import test, { type ExecutionContext } from 'ava';
import { z } from 'zod';
import { HttpProblem } from '../src/http/problem.js';
import { parseOr400 } from '../src/http/validate.js';

const schema = z.strictObject({
  customerId: z.string().min(1, 'must not be empty'),
  items: z.array(z.strictObject({ sku: z.string(), qty: z.number().int().positive('must be at least 1') })).min(1),
});

const problemOf = (t: ExecutionContext, input: unknown) =>
  t.throws(() => parseOr400(schema, input), { instanceOf: HttpProblem }) ?? new HttpProblem(0, 'did not throw');

test('when the input is valid, then it is returned parsed', (t) => {
  const input = { customerId: 'c1', items: [{ sku: 'A', qty: 2 }] };
  t.deepEqual(parseOr400(schema, input), input);
});

test('when a nested field is bad, then the 400 problem names it by its full path', (t) => {
  const problem = problemOf(t, {
    customerId: 'c1',
    items: [
      { sku: 'A', qty: 1 },
      { sku: 'B', qty: 0 },
    ],
  });
  t.is(problem.status, 400);
  t.deepEqual(problem.extra['invalid-params'], [{ name: 'items.1.qty', reason: 'must be at least 1' }]);
  t.is(problem.detail, 'items.1.qty: must be at least 1');
});

test('when several fields are bad, then every one is named', (t) => {
  const problem = problemOf(t, { customerId: '', items: [{ sku: 'A', qty: 0 }] });
  const names = (problem.extra['invalid-params'] as { name: string }[]).map((p) => p.name);
  t.deepEqual(names.sort(), ['customerId', 'items.0.qty']);
});

test('when the body has unknown fields, then each is named on its own as an unknown field', (t) => {
  const problem = problemOf(t, { customerId: 'c1', coupon: 'X', items: [{ sku: 'A', qty: 1, price: 1, note: '' }] });
  t.deepEqual(
    (problem.extra['invalid-params'] as unknown[]).toSorted((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    [
      { name: 'coupon', reason: 'unknown field' },
      { name: 'items.0.note', reason: 'unknown field' },
      { name: 'items.0.price', reason: 'unknown field' },
    ],
  );
});

test('when the body is not an object at all, then the problem names the body', (t) => {
  const problem = problemOf(t, 'nope');
  t.is(problem.status, 400);
  t.deepEqual(
    (problem.extra['invalid-params'] as { name: string }[]).map((p) => p.name),
    ['(body)'],
  );
});
