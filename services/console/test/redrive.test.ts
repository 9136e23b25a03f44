import { definition as audit } from '@orderly/audit';
import { consoleAccess, retryExchange } from '@orderly/events';
import { definition as inventory } from '@orderly/inventory';
import { definition as order } from '@orderly/order';
import { definition as payment } from '@orderly/payment';
import { createPool, type ServiceDefinition } from '@orderly/platform';
import { consumedCount, startTestService, waitFor } from '@orderly/platform/testing';
import test from 'ava';
import { api, consoleTestEnv, type Json, type Service, startConsole, trustingTheConsole, untilRecorded } from './helpers.js';

/**
 * The console's redrive, end to end on the real broker: a message parked because its handler broke is found,
 * redriven after the fix and handled by its own service, so the order goes on; the redrive resets
 * its attempts and counts itself, is exactly once even when the console dies half-way, and every
 * redrive and discard is on the order's timeline in the audit log.
 */
const { env, cleanups } = await consoleTestEnv('redrive');
test.after.always(() => cleanups.run());

/** Payment with its charge broken on purpose while `broken` holds. */
let broken = true;
const breakablePayment: typeof payment = {
  ...payment,
  build: (ctx) => {
    const parts = payment.build(ctx);
    const handlers = parts.consumers!.payment!;
    const charge = handlers['inventory.reserved']!;
    return {
      ...parts,
      consumers: {
        payment: {
          ...handlers,
          'inventory.reserved': async (event, tx) => {
            if (broken) throw new Error('the gateway is down (on purpose)');
            return charge(event, tx);
          },
        },
      },
    };
  },
};

const maxAttempts = 2;
let paymentService: Service;
const ports: Record<string, number> = {};
let console: Awaited<ReturnType<typeof startConsole>>;

test.before(async () => {
  const vars = { ...trustingTheConsole(env), SEED_DEMO_CATALOGUE: 'true', RETRY_MAX_ATTEMPTS: String(maxAttempts) };
  for (const [name, def] of Object.entries({ order, inventory, payment: breakablePayment, audit })) {
    const service = await startTestService(def as ServiceDefinition<never>, env, cleanups, vars);
    ports[name] = service.port;
    if (name === 'payment') paymentService = service as Service;
  }
  console = await startConsole(env, cleanups, { REDRIVE_RATE_PER_S: '20' });
});

const call = async (service: string, path: string, init: { method?: string; json?: unknown; token?: string } = {}) => {
  const res = await fetch(`http://127.0.0.1:${ports[service]}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${init.token ?? (await env.issuer.operator('ops'))}`,
      ...(init.json ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.json ? { body: JSON.stringify(init.json) } : {}),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as Json };
};

/** A customer's order whose charge is parked in payment.dlq (payment is broken): its dead letter. */
async function parkedOrder(): Promise<{ orderId: string; row: Json }> {
  const placed = await call('order', '/orders', {
    method: 'POST',
    json: { items: [{ sku: 'TSHIRT-BLK-M', qty: 1 }], paymentMethod: 'pm_card_visa' },
    token: await env.issuer.customer('C100'),
  });
  const orderId = placed.body.orderId as string;
  const [row] = await untilRecorded(console, env, 1, `&orderId=${orderId}&status=parked`);
  return { orderId, row };
}

const statusOf = async (orderId: string) => (await call('order', `/orders/${orderId}`)).body.status as string;
const untilStatus = (orderId: string, status: string) =>
  waitFor(async () => ((await statusOf(orderId)) === status ? true : undefined), { what: `order ${orderId} ${status}`, timeoutMs: 20_000 });
const timeline = async (orderId: string) => (await call('audit', `/orders/${orderId}/events`)).body as Json[];
const paymentsOf = async (orderId: string) => (await call('payment', `/payments?orderId=${orderId}`)).body;

test.serial(
  'when a charge was parked, then a redrive starts it again at attempt 1, counts the redrive, and after the fix the order is confirmed',
  async (t) => {
    broken = true;
    const { orderId, row } = await parkedOrder();
    t.like(row, {
      queue: 'payment',
      type: 'inventory.reserved',
      attempts: maxAttempts,
      redrives: 0,
      publishedBy: `${env.vhost}.inventory`,
    });
    t.is(await statusOf(orderId), 'RESERVED');

    // Still broken: the redriven copy gets every attempt again (one retry before it is parked), not one.
    const retriesBefore = await consumedCount(paymentService, { queue: 'payment', outcome: 'retry' });
    const first = await api(console, env, '/api/dead-letters/redrive', { method: 'POST', json: { ids: [row.id], reason: 'trying again' } });
    t.deepEqual(first, { status: 200, body: { redriven: 1 } });
    const [again] = await untilRecorded(console, env, 1, `&orderId=${orderId}&status=parked`);
    t.like(again, { attempts: maxAttempts, redrives: 1, publishedBy: `${env.vhost}.inventory` });
    t.not(again.id, row.id);
    t.is(await consumedCount(paymentService, { queue: 'payment', outcome: 'retry' }), retriesBefore + maxAttempts - 1);
    t.like((await api(console, env, `/api/dead-letters/${row.id}`)).body, {
      status: 'redriven',
      resolvedBy: 'ops',
      reason: 'trying again',
    });

    // Fixed: redriven by a filter, it is handled by payment as from inventory, and the order goes on.
    broken = false;
    const second = await api(console, env, '/api/dead-letters/redrive', {
      method: 'POST',
      json: { filter: { orderId, queue: 'payment' } },
    });
    t.deepEqual(second.body, { redriven: 1 });
    await untilStatus(orderId, 'CONFIRMED');
    t.like((await api(console, env, `/api/dead-letters/${again.id}`)).body, { status: 'redriven', redrives: 2 });
    t.is((await paymentsOf(orderId)).length, 1);
    // A second redrive of the same rows does nothing: they are no longer parked.
    t.deepEqual((await api(console, env, '/api/dead-letters/redrive', { method: 'POST', json: { ids: [row.id, again.id] } })).body, {
      redriven: 0,
    });

    // The audit log reads its stream in batches (up to STREAM_LINGER_MS later): wait for the second.
    const redrives = await waitFor(
      async () => {
        const found = (await timeline(orderId)).filter((h) => h.type === 'deadletter.redriven');
        return found.length >= 2 ? found : undefined;
      },
      { what: 'both redrives on the order’s timeline', timeoutMs: 10_000 },
    );
    t.is(redrives.length, 2, 'each redrive is on the order’s timeline');
    t.like(redrives[0], {
      source: 'console',
      data: { deadLetterId: row.id, queue: 'payment', messageType: 'inventory.reserved', operator: 'ops', reason: 'trying again' },
    });
  },
);

test.serial(
  'when an operator discards a parked message with a reason, then it is not redelivered, and the discard is on the timeline',
  async (t) => {
    broken = true;
    const { orderId, row } = await parkedOrder();
    const res = await api(console, env, '/api/dead-letters/discard', {
      method: 'POST',
      json: { ids: [row.id], reason: 'customer asked us to drop it' },
    });
    t.deepEqual(res.body, { discarded: 1 });
    t.like((await api(console, env, `/api/dead-letters/${row.id}`)).body, {
      status: 'discarded',
      resolvedBy: 'ops',
      reason: 'customer asked us to drop it',
    });
    t.deepEqual((await api(console, env, '/api/dead-letters/redrive', { method: 'POST', json: { ids: [row.id] } })).body, { redriven: 0 });
    const discards = await waitFor(async () => {
      const hops = (await timeline(orderId)).filter((h) => h.type === 'deadletter.discarded');
      return hops.length > 0 ? hops : undefined;
    });
    t.like(discards[0], { data: { deadLetterId: row.id, operator: 'ops', reason: 'customer asked us to drop it' } });
    t.is(await statusOf(orderId), 'RESERVED');
  },
);

test.serial(
  'when the console dies between recording a redrive and the broker confirming it, then it is sent at its next start: once, neither lost nor doubled',
  async (t) => {
    broken = true;
    const { orderId, row } = await parkedOrder();
    broken = false;
    // The broker refuses the console's copy (its write on payment's retry exchange is withdrawn), so
    // the redrive is recorded, audited and left in 'redriving'; then the console stops.
    await console.stop();
    const exactly = (names: string[]) => `^(${names.map((x) => x.replaceAll('.', '\\.')).join('|')})$`;
    const permission = (write: string[]) =>
      env.management(`api/permissions/${encodeURIComponent(env.vhost)}/${encodeURIComponent(`${env.vhost}.console`)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ configure: '^$', write: exactly(write), read: exactly(consoleAccess('choreography').consumes) }),
      });
    const writes = [...consoleAccess('choreography').publishes, 'amq.default'];
    await permission(writes.filter((x) => x !== retryExchange('payment')));
    const crashing = await startConsole(env, cleanups, { REDRIVE_RESUME_AFTER_S: '3600' });
    const interrupted = await api(crashing, env, '/api/dead-letters/redrive', { method: 'POST', json: { ids: [row.id] } });
    t.deepEqual(interrupted, { status: 202, body: { redriven: 0, pending: 1 } });
    t.like((await api(crashing, env, `/api/dead-letters/${row.id}`)).body, { status: 'redriving' });
    await crashing.stop();
    t.is(await statusOf(orderId), 'RESERVED', 'nothing was sent');

    await permission(writes);
    console = await startConsole(env, cleanups);
    await untilStatus(orderId, 'CONFIRMED');
    await waitFor(async () => ((await api(console, env, `/api/dead-letters/${row.id}`)).body.status === 'redriven' ? true : undefined));
    t.is((await paymentsOf(orderId)).length, 1);
    const redriven = () => timeline(orderId).then((hops) => hops.filter((h) => h.type === 'deadletter.redriven').length);
    // The audit log reads its stream in batches: wait for the record, then see that it is the only one.
    await waitFor(async () => ((await redriven()) >= 1 ? true : undefined), { what: 'the redrive on the timeline', timeoutMs: 10_000 });
    t.is(await redriven(), 1, 'audited once');

    // The other half-way point: the copy went out but the console died before marking it redriven.
    const pool = createPool(env.databaseUrl, 'console', 1);
    cleanups.add(() => pool.end());
    const duplicatesBefore = await consumedCount(paymentService, { queue: 'payment', outcome: 'duplicate' });
    await pool.query(`UPDATE dead_letters SET status = 'redriving', status_at = now() - interval '1 hour' WHERE id = $1`, [row.id]);
    await waitFor(async () => ((await api(console, env, `/api/dead-letters/${row.id}`)).body.status === 'redriven' ? true : undefined), {
      what: 'the redrive resumed',
    });
    await waitFor(async () =>
      (await consumedCount(paymentService, { queue: 'payment', outcome: 'duplicate' })) > duplicatesBefore ? true : undefined,
    );
    t.is((await paymentsOf(orderId)).length, 1, 'the second copy was absorbed by payment’s inbox: one charge');
  },
);
