/**
 * The fault injectors. Each one injects its fault, lifts it (or lets the system lift it, as the
 * local stack does by restarting a killed service) and returns when it has been healed. Only
 * the run's own servers, proxies and processes are touched.
 */
import { exchanges, type MessageType, producerOf, type SagaMode } from '@orderly/events';
import { sagasInFlight } from '@orderly/order';
import { headerBomb, publishRawHeadersAt, toolConnection } from '@orderly/platform/testing';
import type amqp from 'amqplib';
import type { ChaosStack } from './chaos-stack.ts';
import type { LoadGenerator } from './load.ts';
import { sleep } from './load.ts';
import type { Random } from './random.ts';
import type { FaultPlan } from './schedule.ts';

/** A poison message the harness published, and what its dead-letter entry must say. */
export interface InjectedPoison {
  messageId: string;
  queue: string;
  variant: string;
  reason: RegExp;
}

export interface FaultContext {
  chaos: ChaosStack;
  load: LoadGenerator;
  random: Random;
  poison: InjectedPoison[];
  note: (line: string) => void;
}

/** Injects the fault; resolves with a detail line when it has been healed. */
export async function inject(plan: FaultPlan, ctx: FaultContext): Promise<string | undefined> {
  const { chaos } = ctx;
  switch (plan.kind) {
    case 'kill-9':
      return killService(plan, ctx);
    case 'rolling-restart':
      await rollOut(chaos, plan.order, plan.staggerMs);
      return undefined;
    case 'mode-switch':
      return switchSagaMode(plan, ctx);
    case 'scale-out-in': {
      await chaos.stack.scale(plan.service, plan.replicas);
      burst(ctx, 10);
      await sleep(plan.holdMs);
      await chaos.stack.scale(plan.service, 1);
      return undefined;
    }
    case 'postgres-crash':
      await chaos.postgres.crash();
      await sleep(plan.downMs);
      await chaos.postgres.start();
      return undefined;
    case 'rabbitmq-stop':
      await chaos.rabbit.stopApp();
      await sleep(plan.downMs);
      await chaos.rabbit.startApp();
      return undefined;
    case 'rabbitmq-kill':
      await chaos.rabbit.kill();
      await chaos.rabbit.boot();
      return undefined;
    case 'network-hang':
    case 'network-slow': {
      const p = chaos.proxies.get(plan.service)!;
      const proxies = plan.target === 'both' ? [p.amqp, p.pg] : [plan.target === 'pg' ? p.pg : p.amqp];
      for (const proxy of proxies) {
        if (plan.kind === 'network-hang') proxy.hang();
        else proxy.slow(plan.delayMs);
      }
      await sleep(plan.holdMs);
      for (const proxy of proxies) proxy.heal();
      return undefined;
    }
    // These need the run's database and broker, which the other nemesis may have down right now: wait for them.
    case 'duplicate':
      return whenServersAnswer(() => duplicate(plan.schema, plan.count, ctx));
    case 'reorder':
      return whenServersAnswer(() => reorder(plan.orders, ctx));
    case 'poison':
      return whenServersAnswer(() => poison(plan.queue, plan.variant, ctx));
  }
}

/**
 * Each service's one instance replaced (SIGTERM, drain, start, ready), as `kubectl rollout restart`
 * of every deployment (or a `helm upgrade`) does; the rollouts overlap, a moment apart.
 */
async function rollOut(chaos: ChaosStack, order: string[], staggerMs: number): Promise<void> {
  await Promise.all(
    order.map(async (service, i) => {
      await sleep(i * staggerMs);
      await chaos.stack.restart(service);
    }),
  );
}

/**
 * A saga-mode switch as docs/kubernetes.md tells an operator to do it, under a burst of orders:
 * `helm upgrade` to the other mode with sagaSwitching=true (both modes' rights and bindings, every
 * service rolled), wait until no order of the old mode is in flight, then upgrade again with
 * sagaSwitching=false. The invariants then check that no order was lost or doubled.
 */
async function switchSagaMode(plan: Extract<FaultPlan, { kind: 'mode-switch' }>, ctx: FaultContext): Promise<string> {
  const { chaos } = ctx;
  const from = chaos.saga().mode;
  const to: SagaMode = from === 'orchestration' ? 'choreography' : 'orchestration';
  burst(ctx, 15);
  await chaos.setSaga({ mode: to, switching: true });
  await rollOut(chaos, plan.order, plan.staggerMs);
  const started = Date.now();
  const left = await whenServersAnswer(() => inFlightOf(ctx, from));
  let remaining = left;
  while (remaining > 0 && Date.now() - started < drainLimitMs) {
    await sleep(1000);
    remaining = await inFlightOf(ctx, from).catch(() => remaining);
  }
  const drainedMs = Date.now() - started;
  await chaos.setSaga({ mode: to, switching: false });
  await rollOut(chaos, plan.order, plan.staggerMs);
  const drain =
    remaining === 0 ? `drained in ${(drainedMs / 1000).toFixed(1)} s` : `NOT drained after ${drainLimitMs / 1000} s (${remaining} left)`;
  return `${from} → ${to}: ${left} orders of ${from} in flight after the roll-out, ${drain}`;
}

/** Longer than any saga under faults; an order of the old mode still in flight after it is left to the invariants. */
const drainLimitMs = 180_000;

/** Orders of a saga mode in flight (orderly_sagas_in_flight), from the run's database. */
async function inFlightOf(ctx: FaultContext, mode: SagaMode): Promise<number> {
  const client = await ctx.chaos.db.connect();
  try {
    await client.query('SET search_path TO "order"');
    return (await sagasInFlight(client))[mode];
  } finally {
    await client.query('RESET search_path').catch(() => undefined);
    client.release();
  }
}

async function whenServersAnswer<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 60) throw err;
      await sleep(2000);
    }
  }
}

/** Some orders at once, not awaited: work in every queue and outbox at the moment of the fault. */
function burst(ctx: FaultContext, n: number): void {
  for (let i = 0; i < n; i++) ctx.load.spawn(ctx.random.pick(['happy', 'cancelRace', 'declined', 'contended'] as const));
}

async function killService(plan: Extract<FaultPlan, { kind: 'kill-9' }>, ctx: FaultContext): Promise<string> {
  const { chaos } = ctx;
  if (plan.burst) {
    burst(ctx, 15);
    await sleep(plan.delayMs);
  }
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${plan.service} was not restarted and ready within 120 s`));
    }, 120_000);
    const off = chaos.onRestart((e) => {
      if (e.service === plan.service && e.replica === 0 && e.phase === 'ready') {
        clearTimeout(timer);
        off();
        resolve(e.downMs);
      }
    });
  });
  const pid = chaos.stack.pids()[plan.service];
  if (!chaos.stack.signal(plan.service, 'SIGKILL')) throw new Error(`${plan.service} is not running`);
  const downMs = await ready;
  return `pid ${pid} killed; restarted by the local stack, ready after ${(downMs / 1000).toFixed(1)} s`;
}

interface OutboxRow {
  event_id: string;
  exchange: string;
  routing_key: string;
  type: string;
  payload: string;
}

/** Publishes as the producer would: its own broker user, named in user_id (consumers trust nothing else). */
async function publishAs(ctx: FaultContext, service: string, publish: (ch: amqp.ConfirmChannel, userId: string) => void): Promise<void> {
  const url = ctx.chaos.brokerUrlOf(service);
  const conn = await toolConnection(url);
  try {
    const ch = await conn.createConfirmChannel();
    publish(ch, decodeURIComponent(new URL(url).username));
    await ch.waitForConfirms();
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** Each row in the given order, each from its producer's own user. */
async function republish(ctx: FaultContext, rows: OutboxRow[]): Promise<void> {
  for (const row of rows) {
    await publishAs(ctx, producerOf(row.type as MessageType), (ch, userId) =>
      ch.publish(row.exchange, row.routing_key, Buffer.from(row.payload), {
        persistent: true,
        contentType: 'application/cloudevents+json',
        messageId: row.event_id,
        type: row.type,
        userId,
        headers: { 'x-chaos': 'redelivered' },
      }),
    );
  }
}

/** Messages already delivered, delivered again: what a relay crash between publish and mark-sent causes. */
async function duplicate(schema: string, count: number, ctx: FaultContext): Promise<string> {
  const { rows } = await ctx.chaos.db.query<OutboxRow>(
    `SELECT event_id, exchange, routing_key, type, payload::text AS payload FROM "${schema}".outbox
      WHERE published_at > now() - interval '2 minutes' AND exchange <> $1 ORDER BY random() LIMIT $2`,
    [exchanges.retry, count],
  );
  await republish(ctx, rows);
  return `${rows.length} messages (${[...new Set(rows.map((r) => r.type))].join(', ')})`;
}

const outboxSchemas = ['order', 'inventory', 'payment', 'shipping', 'notification'];

/** Every message of a few recent orders, delivered again newest first: stale events after fresh ones. */
async function reorder(orders: number, ctx: FaultContext): Promise<string> {
  const { rows: recent } = await ctx.chaos.db.query<{ id: string }>(
    `SELECT id FROM "order".orders WHERE created_at > now() - interval '2 minutes' ORDER BY random() LIMIT $1`,
    [orders],
  );
  const ids = recent.map((r) => r.id);
  if (ids.length === 0) return 'no recent orders';
  const union = outboxSchemas
    .map(
      (s) =>
        `SELECT event_id, exchange, routing_key, type, payload::text AS payload, created_at FROM "${s}".outbox WHERE payload->>'subject' = ANY($1)`,
    )
    .join(' UNION ALL ');
  const { rows } = await ctx.chaos.db.query<OutboxRow>(`SELECT * FROM (${union}) m ORDER BY created_at DESC`, [ids]);
  await republish(ctx, rows);
  return `${rows.length} messages of ${ids.length} orders, newest first`;
}

const poisonReasons: Record<string, RegExp> = {
  'not-json': /SyntaxError|JSON/,
  'unknown-type': /unknown message type|ZodError|invalid/i,
  'invalid-data': /ZodError|invalid|expected/i,
  // Headers amqplib could not decode closed the consumer's connection on every delivery;
  // a body of any size was parsed, parked and stored whole.
  'header-bomb': /headers not decodable: tables nested deeper than/,
  'too-large': /too large: \d+ bytes/,
};

/** A message no consumer can handle, straight into a consuming queue: it must end in that queue's DLQ with its reason. */
async function poison(queue: string, variant: string, ctx: FaultContext): Promise<string> {
  const messageId = ctx.random.uuid();
  const orderId = ctx.random.uuid();
  const envelope = {
    specversion: '1.0',
    id: messageId,
    source: 'orderly/chaos',
    subject: orderId,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    correlationid: orderId,
  };
  const content =
    variant === 'not-json'
      ? `{"this is": not json ${messageId}`
      : variant === 'unknown-type'
        ? JSON.stringify({ ...envelope, type: 'chaos.unheard-of', data: { orderId } })
        : JSON.stringify({ ...envelope, type: 'order.placed', data: { orderId, items: 'not a list' } });
  const type = variant === 'unknown-type' ? 'chaos.unheard-of' : 'order.placed';
  // With the right credentials (the order service's, which produces order.placed): it is parked
  // for what it says, not for who sent it. The default exchange routes by queue name: exactly
  // this one consumer gets it.
  if (variant === 'header-bomb') {
    // A valid event whose headers table is nested 5,000 deep (35 kB): amqplib cannot even write it.
    const event = JSON.stringify({ ...envelope, type, data: { orderId } });
    await publishRawHeadersAt(ctx.chaos.brokerUrlOf('order'), '', queue, Buffer.from(event), headerBomb(5_000), {
      asUser: true,
      type,
      messageId,
    });
  } else {
    // One byte over the default MESSAGE_MAX_BYTES (1 MiB), padding after a valid event.
    const body =
      variant === 'too-large'
        ? Buffer.from(JSON.stringify({ ...envelope, type, data: { orderId } }).padEnd(1_048_577))
        : Buffer.from(content);
    await publishAs(ctx, 'order', (ch, userId) =>
      ch.publish('', queue, body, { persistent: true, messageId, type, userId, headers: { 'x-chaos': 'poison' } }),
    );
  }
  ctx.poison.push({ messageId, queue, variant, reason: poisonReasons[variant]! });
  return `message ${messageId}`;
}
