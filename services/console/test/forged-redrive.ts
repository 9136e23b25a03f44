import { createHash, randomUUID } from 'node:crypto';
import { definition as audit } from '@orderly/audit';
import { newEnvelope, orderlyHeaders, retryExchange, retryQueue, type SagaMode } from '@orderly/events';
import { definition as inventory } from '@orderly/inventory';
import { definition as order } from '@orderly/order';
import { definition as payment } from '@orderly/payment';
import type { ServiceDefinition } from '@orderly/platform';
import { startTestService, waitFor } from '@orderly/platform/testing';
import amqp from 'amqplib';
import test from 'ava';
import { api, consoleTestEnv, type Json, startConsole, trustingTheConsole, untilRecorded } from './helpers.js';

/**
 * On the real broker in one saga mode: with only the console's broker
 * credentials, a payment.completed sent through order's retry exchange claiming to be payment's
 * must not confirm an unpaid order (decision 0024); it is parked as refused, shown in the console
 * and audited as refused. A genuine redrive of a parked charge still works, once, and the envelope
 * it sent back is on the audit log.
 */
export function forgedRedriveTests(mode: SagaMode): void {
  const state = {} as { env: Awaited<ReturnType<typeof consoleTestEnv>>['env']; console: Awaited<ReturnType<typeof startConsole>> };
  const ports: Record<string, number> = {};
  let broken = true;
  let cleanup = async () => {};

  /** Payment with its charge broken while `broken` holds (both saga modes' charge). */
  const breakablePayment: typeof payment = {
    ...payment,
    build: (ctx) => {
      const parts = payment.build(ctx);
      const handlers = parts.consumers!.payment!;
      const breakable = (name: 'inventory.reserved' | 'payment.charge') => {
        const charge = handlers[name]!;
        return async (event: Parameters<typeof charge>[0], tx: Parameters<typeof charge>[1]) => {
          if (broken) throw new Error('the gateway is down (on purpose)');
          return charge(event as never, tx);
        };
      };
      return {
        ...parts,
        consumers: {
          payment: { ...handlers, 'inventory.reserved': breakable('inventory.reserved'), 'payment.charge': breakable('payment.charge') },
        },
      };
    },
  };

  test.before(async () => {
    const { env, cleanups } = await consoleTestEnv(`forged_${mode}`);
    cleanup = () => cleanups.run();
    const vars = {
      ...trustingTheConsole(env),
      SAGA_MODE: mode,
      SAGA_STEP_TIMEOUT_MS: '600000',
      SEED_DEMO_CATALOGUE: 'true',
      RETRY_MAX_ATTEMPTS: '2',
    };
    for (const [name, def] of Object.entries({ order, inventory, payment: breakablePayment, audit }))
      ports[name] = (await startTestService(def as ServiceDefinition<never>, env, cleanups, vars)).port;
    state.env = env;
    state.console = await startConsole(env, cleanups, { SAGA_MODE: mode, REDRIVE_RATE_PER_S: '20' });
  });
  test.after.always(() => cleanup());

  const call = async (service: string, path: string, init: { method?: string; json?: unknown; token?: string } = {}) => {
    const res = await fetch(`http://127.0.0.1:${ports[service]}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${init.token ?? (await state.env.issuer.operator('ops'))}`,
        ...(init.json ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.json ? { body: JSON.stringify(init.json) } : {}),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as Json };
  };
  const statusOf = async (orderId: string) => (await call('order', `/orders/${orderId}`)).body.status as string;
  const timeline = async (orderId: string) => (await call('audit', `/orders/${orderId}/events`)).body as Json[];
  /** The order's timeline hops of a type (and that `which` picks), once there is one: the audit log records them shortly after. */
  const onTimeline = (orderId: string, type: string, which: (h: { data: Record<string, unknown> }) => boolean = () => true) =>
    waitFor(
      async () => {
        const hops = (await timeline(orderId)).filter((h) => h.type === type && which(h));
        return hops.length > 0 ? hops : undefined;
      },
      { what: `${type} on the timeline of ${orderId}`, timeoutMs: 20_000 },
    );

  /** What only the console's broker credentials allow: a copy through a queue's retry exchange, naming any publisher. */
  async function sendAsTheConsole(queue: string, body: string, type: string, claimed: string): Promise<void> {
    const url = state.env.amqpUrlFor('console');
    const conn = await amqp.connect(url);
    try {
      const ch = await conn.createConfirmChannel();
      ch.publish(retryExchange(queue), retryQueue(queue), Buffer.from(body), {
        persistent: true,
        type,
        messageId: (JSON.parse(body) as { id: string }).id,
        userId: decodeURIComponent(new URL(url).username),
        expiration: '0',
        headers: { [orderlyHeaders.attempt]: 1, [orderlyHeaders.publishedBy]: claimed, [orderlyHeaders.redrives]: 1 },
      });
      await ch.waitForConfirms();
    } finally {
      await conn.close();
    }
  }

  let parkedCharge: { orderId: string; row: Json };

  test.serial(
    `${mode}: when the console's broker credentials send a forged payment.completed through order's retry exchange, then the unpaid order stays RESERVED, the forgery is parked as refused, shown in the console and audited`,
    async (t) => {
      const { env, console } = state;
      const placed = await call('order', '/orders', {
        method: 'POST',
        json: { items: [{ sku: 'TSHIRT-BLK-M', qty: 1 }], paymentMethod: 'pm_card_visa' },
        token: await env.issuer.customer('C100'),
      });
      const orderId = placed.body.orderId as string;
      const [row] = await untilRecorded(console, env, 1, `&orderId=${orderId}&queue=payment&status=parked`);
      parkedCharge = { orderId, row };
      t.is(await statusOf(orderId), 'RESERVED');
      const charge = JSON.parse((await api(console, env, `/api/dead-letters/${row.id}`)).body.body) as Json;

      const forged = newEnvelope('payment', 'payment.completed', orderId, {
        orderId,
        paymentId: randomUUID(),
        amountCents: charge.data.totalCents,
        currency: charge.data.currency,
      });
      await sendAsTheConsole('order', JSON.stringify(forged), 'payment.completed', `${env.vhost}.payment`);
      // Either the order moves (the forgery believed) or the refused copy is recorded.
      const refused = await waitFor(
        async () => {
          if ((await statusOf(orderId)) !== 'RESERVED') return [];
          const res = await api<{ items: Json[] }>(console, env, `/api/dead-letters?orderId=${orderId}&queue=order`);
          return res.body.items.length > 0 ? res.body.items : undefined;
        },
        { what: 'the forgery handled or parked', timeoutMs: 20_000 },
      );
      t.is(await statusOf(orderId), 'RESERVED', 'the forgery did not confirm the unpaid order');
      t.like(refused[0], { queue: 'order', type: 'payment.completed', status: 'parked', publishedBy: `${env.vhost}.console` });
      t.regex(refused[0].error, /refused: a copy redriven by .*console is believed only when it is a message this queue parked/);

      const [audited] = await onTimeline(orderId, 'deadletter.refused');
      t.like(audited, {
        source: 'console',
        data: {
          deadLetterId: refused[0].id,
          queue: 'order',
          messageType: 'payment.completed',
          messageId: forged.id,
          sentBy: `${env.vhost}.console`,
          claimedPublisher: `${env.vhost}.payment`,
        },
      });

      // Redriven through the console, the forgery is refused again: its recorded publisher is the console.
      await api(console, env, '/api/dead-letters/redrive', { method: 'POST', json: { ids: [refused[0].id] } });
      await waitFor(async () => ((await timeline(orderId)).filter((h) => h.type === 'deadletter.refused').length >= 2 ? true : undefined), {
        what: 'the redriven forgery refused again',
        timeoutMs: 20_000,
      });
      t.is(await statusOf(orderId), 'RESERVED');
    },
  );

  test.serial(
    `${mode}: when an operator redrives the genuine parked charge, then it is handled once, the order is confirmed, and the envelope sent back is on the audit log`,
    async (t) => {
      const { env, console } = state;
      const { orderId, row } = parkedCharge;
      broken = false;
      const detail = (await api(console, env, `/api/dead-letters/${row.id}`)).body;
      const sent = await api(console, env, '/api/dead-letters/redrive', { method: 'POST', json: { ids: [row.id] } });
      t.deepEqual(sent.body, { redriven: 1 });
      await waitFor(async () => ((await statusOf(orderId)) === 'CONFIRMED' ? true : undefined), {
        what: `order ${orderId} CONFIRMED`,
        timeoutMs: 20_000,
      });
      t.is((await call('payment', `/payments?orderId=${orderId}`)).body.length, 1, 'charged once');
      t.deepEqual((await api(console, env, '/api/dead-letters/redrive', { method: 'POST', json: { ids: [row.id] } })).body, {
        redriven: 0,
      });

      // Waited for by its dead letter: the order's timeline also holds the redrive of the forgery before it.
      const [redriven] = await onTimeline(orderId, 'deadletter.redriven', (h) => h.data.deadLetterId === row.id);
      const body = Buffer.from(detail.body, detail.bodyEncoding === 'base64' ? 'base64' : 'utf8');
      t.like(redriven, {
        data: {
          deadLetterId: row.id,
          queue: 'payment',
          messageId: row.messageId,
          bodySha256: createHash('sha256').update(body).digest('hex'),
          publishedBy: row.publishedBy,
        },
      });
      t.true(
        (await timeline(orderId)).some((h) => h.id === row.messageId),
        'the envelope it sent back is on the audit log under its own id',
      );
    },
  );
}
