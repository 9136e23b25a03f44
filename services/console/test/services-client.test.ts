import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { ServicesClient } from '../src/web/services-client.js';
import { orderCounts } from '../src/web/views.js';

/**
 * The console reads each service's answer through the schema its own document describes: what the
 * schema does not name is not passed on to the operator's page, and a body it cannot read is a
 * clear "does not understand", not a page built from half of it.
 */
let answer: unknown;
let server: Server;
let client: ServicesClient;
test.before(async () => {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new ServicesClient(() => `http://127.0.0.1:${port}`);
});
test.after.always(() => server?.close());

test.serial('when a service answers a field the console does not describe, then the console drops it', async (t) => {
  answer = { counts: { PENDING: 1 }, internalNote: 'not for the page' };
  const read = await client.get('order', '/orders/stats', 'token', orderCounts);
  t.true(read.ok);
  t.deepEqual(read.ok && read.body, { counts: { PENDING: 1 } });
});

test.serial('when a service answers a body the console cannot read, then it is no answer, and the reason names the field', async (t) => {
  answer = { counts: { PENDING: 'many' } };
  const read = await client.get('order', '/orders/stats', 'token', orderCounts);
  t.false(read.ok);
  t.is(read.status, 502);
  t.regex(read.ok ? '' : read.error, /^order answered a body the console does not understand \(counts\.PENDING: /);
});
