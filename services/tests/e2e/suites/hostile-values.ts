import { randomUUID } from 'node:crypto';
import { type MessageType, messages, producerOf, servicePorts } from '@orderly/events';
import type { ServiceName, Stack } from '@orderly/testkit';
import fc from 'fast-check';

/**
 * The hostile-input suite's generators (services/tests/e2e/hostile-input.test.ts): values that
 * break parsers and validators, request data that is valid or hostile field by field, and AMQP
 * messages as a producer, an impostor or nobody could publish them.
 */

const services = Object.keys(servicePorts);

export const nasty = fc.constantFrom(
  '\ud800',
  '\udfff',
  'a\ud800b',
  '\udc00\ud800',
  'nul\u0000',
  '\u0007bell',
  '\u001b[31m',
  'line\r\nbreak',
  '\u202eevil',
  '\ufeff',
  '\uffff',
  '💥'.repeat(50),
  '=HYPERLINK("http://x")',
  '+1',
  '-1',
  '@SUM(A1)',
  '\t=1',
  "'; DROP TABLE orders; --",
  '--',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  '%00',
  '%ED%A0%80',
  '',
  ' ',
);
export const hostileString = fc.oneof(
  { weight: 3, arbitrary: nasty },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\u0000', '\ud800', '\udc00', 'a', '\u0085'), maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'x'.repeat(n)) },
);
export const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, -0, 0.5, 10.5, -10.5, 1e308, 2 ** 31, 2 ** 31 - 1, 2 ** 53, 2 ** 63, Number.MAX_SAFE_INTEGER + 2, 1e-320),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e400', '-0', '0x10', ' 1', '1_000', '10.5', '-1', '1e3', '٣'),
);
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 3 }) },
);

/** A valid value for a field of that name, or a hostile one. */
export const plausible = (key: string): fc.Arbitrary<unknown> => {
  const line = fc.record({
    sku: fc.oneof(fc.constantFrom('TSHIRT-BLK-M', 'MUG-WHT', 'NOPE'), hostileString),
    qty: fc.oneof(fc.integer({ min: 1, max: 3 }), hostileNumber),
    unitCents: fc.oneof(fc.integer({ min: 1, max: 5_000 }), hostileNumber),
    lineCents: fc.oneof(fc.integer({ min: 1, max: 5_000 }), hostileNumber),
  });
  const valid: Record<string, fc.Arbitrary<unknown>> = {
    orderId: fc.uuid(),
    paymentId: fc.uuid(),
    shipmentId: fc.uuid(),
    notificationId: fc.uuid(),
    customerId: fc.constantFrom('C100', 'C1', 'C200'),
    email: fc.constantFrom('c100@example.com', 'x@example.com'),
    items: fc.array(line, { minLength: 1, maxLength: 3 }),
    lines: fc.array(line, { minLength: 1, maxLength: 3 }),
    totalCents: fc.integer({ min: 0, max: 10_000 }),
    amountCents: fc.integer({ min: 0, max: 10_000 }),
    currency: fc.constantFrom('EUR', 'USD'),
    paymentMethod: fc.constantFrom('pm_card_visa', 'pm_card_declined'),
    reason: fc.constantFrom('out_of_stock', 'unknown_product', 'payment_declined', 'customer_request', 'payment_mismatch'),
    kind: fc.constantFrom('confirmed', 'rejected', 'shipped'),
    returned: fc.boolean(),
    skus: fc.array(fc.constantFrom('TSHIRT-BLK-M', 'NOPE'), { maxLength: 2 }),
  };
  return fc.oneof({ weight: 3, arbitrary: valid[key] ?? fc.string({ maxLength: 20 }) }, { weight: 1, arbitrary: hostileValue });
};

/** The data of a message type: every field of its schema, each valid or hostile, sometimes an extra key or a missing one. */
export const dataOf = (type: MessageType): fc.Arbitrary<unknown> => {
  const shape = (messages[type] as unknown as { shape: Record<string, unknown> }).shape;
  const keys = Object.keys(shape);
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record(Object.fromEntries(keys.map((k) => [k, plausible(k)])), { requiredKeys: keys.filter((_, i) => i % 4 !== 3) }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.record(Object.fromEntries(keys.map((k) => [k, plausible(k)]))), hostileString, hostileValue)
        .map(([d, k, v]) => ({ ...d, [k]: v })),
    },
    { weight: 1, arbitrary: hostileValue },
  );
};

export interface Hostile {
  content: Buffer;
  type: string | undefined;
  messageId: string | undefined;
  as: string | undefined;
  headers: Record<string, unknown>;
}

export const messageFor = (types: MessageType[]): fc.Arbitrary<Hostile> =>
  fc.constantFrom(...types).chain((type) => {
    const producer = producerOf(type);
    const envelope = fc.record({
      specversion: fc.oneof({ weight: 9, arbitrary: fc.constant('1.0') }, { weight: 1, arbitrary: hostileValue }),
      id: fc.oneof({ weight: 9, arbitrary: fc.uuid() }, { weight: 1, arbitrary: hostileValue }),
      source: fc.oneof(
        { weight: 8, arbitrary: fc.constant(`orderly/${producer}`) },
        { weight: 2, arbitrary: fc.oneof(fc.constantFrom(...services.map((s) => `orderly/${s}`)), hostileValue) },
      ),
      type: fc.oneof(
        { weight: 9, arbitrary: fc.constant(type) },
        { weight: 1, arbitrary: fc.oneof(fc.constantFrom(...(Object.keys(messages) as string[])), hostileValue) },
      ),
      subject: fc.oneof({ weight: 8, arbitrary: fc.uuid() }, { weight: 2, arbitrary: hostileValue }),
      time: fc.oneof({ weight: 8, arbitrary: fc.constant(new Date().toISOString()) }, { weight: 2, arbitrary: hostileValue }),
      correlationid: fc.oneof({ weight: 8, arbitrary: fc.uuid() }, { weight: 2, arbitrary: hostileValue }),
      data: dataOf(type),
    });
    const content = fc.oneof(
      { weight: 9, arbitrary: envelope.map((e) => Buffer.from(JSON.stringify(e))) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
      { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '"x"', '{"data":"\\ud800"}').map((s) => Buffer.from(s)) },
    );
    return fc.record({
      content,
      type: fc.oneof(
        { weight: 8, arbitrary: fc.constant(type as string) },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: hostileString.filter((s) => s.length < 200) },
      ),
      messageId: fc.option(fc.oneof(fc.uuid(), fc.string({ maxLength: 50 })), { nil: undefined }),
      // Mostly the genuine producer (so the message reaches its handler), else another service or nobody.
      as: fc.oneof(
        { weight: 7, arbitrary: fc.constant(producer as string) },
        { weight: 2, arbitrary: fc.constantFrom(...services) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
      headers: fc.record(
        {
          'x-orderly-attempt': hostileValue,
          'x-orderly-published-by': fc.oneof(fc.constantFrom(...services), hostileString),
          'x-death': hostileValue,
          'x-delivery-count': hostileNumber,
          'x-orderly-error': hostileString,
          // Tables that amqplib would take for its typed-value notation when a consumer copies them.
          'x-table': fc.constantFrom(
            { '!': 'nonsense' },
            { '!': 'timestamp', value: 'x' },
            { '!': 'long', value: 2 ** 70 },
            { nested: { '!': 'x' } },
          ),
        },
        { requiredKeys: [] },
      ) as fc.Arbitrary<Record<string, unknown>>,
    });
  });

/** Header values as AMQP can carry them: an integer beyond int64 goes as a double, a string is cut to
 * 2,000 characters (amqplib would throw on either; the whole table must fit in 64 KiB). */
export const wire = (v: unknown): unknown => {
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (typeof v === 'string') return v.slice(0, 2_000);
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) >= 2 ** 62) return { '!': 'double', value: v };
  if (Array.isArray(v)) return v.map((x) => (x === null ? 'null' : wire(x)));
  if (v === null) return undefined; // amqplib cannot send AMQP void
  if (typeof v === 'object') {
    const table = Object.fromEntries(Object.entries(v).map(([k, x]) => [k.slice(0, 255), wire(x)]));
    // A table with a '!' key is amqplib's typed-value trapdoor: sent as the table it is.
    return '!' in table ? { '!': 'object', value: table } : table;
  }
  return v;
};

/** The message types a queue hears. */
export const typesOf = (queue: string, subscriptions: { exchange: string; routingKey: string }[]): MessageType[] => {
  if (subscriptions.some((s) => s.routingKey === '#')) return Object.keys(messages) as MessageType[];
  return subscriptions.map((s) => s.routingKey as MessageType).filter((t) => t in messages && queue !== '');
};

// Requests

/** Percent-encodes any string, lone surrogates included (as their WTF-8 bytes, which are not UTF-8). */
export function encodeAny(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const next = s.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(s[i]!);
  }
  return out;
}
export const pathPart = fc.oneof(
  { weight: 3, arbitrary: hostileString.filter((s) => s.length < 5_000).map(encodeAny) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 12 }).map((b) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('')) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%u0000', '..', '%2e%2e', randomUUID(), 'TSHIRT-BLK-M', 'C100') },
);

export const orderBody = fc.record(
  {
    customerId: plausible('customerId'),
    email: plausible('email'),
    items: fc.oneof(plausible('items'), fc.array(fc.dictionary(hostileString, hostileValue, { maxKeys: 3 }), { maxLength: 60 })),
    paymentMethod: plausible('paymentMethod'),
    available: hostileNumber,
    name: hostileString,
  },
  { requiredKeys: [] },
);
export const body = fc.oneof(
  { weight: 4, arbitrary: orderBody.map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{',
      '{"a":1}}',
      '[]',
      'null',
      '{"__proto__":{"x":1}}',
      '{"constructor":{"prototype":{}}}',
      '"\\ud800"',
      '{"a":"\\u0000"}',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 50_000, max: 2_000_000 }).map((n) => JSON.stringify({ customerId: 'C100', pad: 'x'.repeat(n) })),
  },
);
export const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 }),
  fc.constantFrom('', ' ', 'x'.repeat(10_000), 'ÿ'),
);

export interface Route {
  service: ServiceName;
  method: string;
  path: string;
  params: string[];
  query: string[];
}

/** Every route of every service, from its OpenAPI document. */
export async function routes(stack: Stack): Promise<Route[]> {
  const out: Route[] = [];
  for (const service of Object.keys(servicePorts) as ServiceName[]) {
    const doc = (await stack.http(service, '/openapi.json')).body as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const params = op.parameters ?? [];
        out.push({
          service,
          method: method.toUpperCase(),
          path,
          params: params.filter((p) => p.in === 'path').map((p) => p.name),
          query: params.filter((p) => p.in === 'query').map((p) => p.name),
        });
      }
    }
  }
  return out;
}
