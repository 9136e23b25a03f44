import type { PolicyDef, Topology } from '@orderly/events';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { backoffDelay } from '../backoff.js';
import type { Logger } from '../logger.js';
import { amqpSocket } from '../throughput/amqp-socket.js';
import { guardReads } from './guarded-reads.js';
import { managementClient } from './management.js';

/** Declares every exchange, queue and binding of the definition; idempotent, run on each connect. */
export async function assertTopology(model: ChannelModel, topology: Topology): Promise<void> {
  const ch = await model.createChannel();
  // A refused declare (NOT_FOUND, PRECONDITION_FAILED) rejects the call below; the channel's own
  // 'error' event would otherwise crash the process.
  ch.on('error', () => {});
  try {
    for (const { name, type } of topology.exchanges) await ch.assertExchange(name, type, { durable: true });
    // Only the queue type is a declare-time argument: everything that may change later is a policy.
    for (const { name, type } of topology.queues) {
      await ch.assertQueue(name, { durable: true, arguments: { 'x-queue-type': type } });
    }
    for (const b of topology.bindings) await ch.bindQueue(b.destination, b.source, b.routingKey);
  } finally {
    await ch.close().catch(() => {});
  }
}

/**
 * The connect-time hook of a service that does not own the topology: it declares nothing and
 * checks nothing, so a missing exchange or queue never fails the connection (and with it the
 * start). What the service uses is awaited by missingTopology() before it reports ready.
 *
 * Passive declares are not used: RabbitMQ 4.2.6 and 4.3.0 require the configure permission for
 * them (rabbitmq-server #16085), which the chart does not grant.
 */
export async function checkTopology(_model: ChannelModel, _topology: Topology): Promise<void> {}

/** What a service uses on the broker: the exchanges it publishes to and the queues it consumes. */
export interface TopologyNeeds {
  exchanges: string[];
  queues: string[];
}

/** Raised when the broker refuses a probe for a reason other than "does not exist". */
export class TopologyProbeError extends Error {
  override name = 'TopologyProbeError';
}

const notFound = (err: unknown) => (err as { code?: number }).code === 404 || /NOT_FOUND/.test(String((err as Error).message));

/**
 * Which of the exchanges and queues the service uses do not exist, found out without declaring
 * anything and with only the rights the service has anyway (write on what it publishes to, read
 * on what it consumes), so the answer does not depend on a broker version's rules for passive
 * declares:
 * - a queue: basic.consume, then basic.cancel at once, on a channel with prefetch 1. A missing
 *   queue fails the consume with NOT_FOUND. A message delivered in between goes back to the
 *   queue when the channel closes unacknowledged.
 * - an exchange: in a transaction, basic.publish of an empty message, then tx.rollback. The
 *   broker looks the exchange up at the publish (a missing one closes the channel with
 *   NOT_FOUND, which the rollback then reports); the rollback discards the message, so nothing is
 *   ever routed.
 * ACCESS_REFUSED (a Permission not applied yet, or wrong) is thrown as a TopologyProbeError.
 */
export async function missingTopology(model: ChannelModel, needs: TopologyNeeds): Promise<string[]> {
  const missing: string[] = [];
  const probe = async (what: string, run: (ch: Channel) => Promise<void>) => {
    const ch = await model.createChannel();
    // The refusal rejects the pending call; the channel's own 'error' event would crash the process.
    ch.on('error', () => {});
    try {
      await run(ch);
    } catch (err) {
      if (notFound(err)) missing.push(what);
      else throw new TopologyProbeError(`${what}: ${(err as Error).message}`);
      return;
    }
    await ch.close().catch(() => {});
  };
  for (const name of needs.exchanges) {
    await probe(`exchange ${name}`, async (ch) => {
      await txCall(ch, 'tx.select');
      ch.publish(name, '', Buffer.alloc(0));
      await txCall(ch, 'tx.rollback');
    });
  }
  for (const name of needs.queues) {
    await probe(`queue ${name}`, async (ch) => {
      await ch.prefetch(1);
      const { consumerTag } = await ch.consume(name, () => {}, { noAck: false });
      await ch.cancel(consumerTag);
    });
  }
  return missing;
}

/**
 * Waits, as long as it takes, until everything the service uses exists (missingTopology() on a
 * connection of its own), logging what is missing with back-off: the caller stays not ready
 * (/readyz 503) meanwhile and never exits for it, so a broker whose topology the operator has
 * not created yet costs a wait, not a crash loop. A refused probe or a failed connection is
 * waited out the same way (a Permission or User the operator has not applied yet).
 */
export async function awaitTopology(
  url: string,
  needs: TopologyNeeds,
  logger: Logger,
  { name = 'orderly-topology-probe', baseMs = 1_000, maxMs = 15_000 } = {},
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let missing: string[] = [];
    let refused: string | undefined;
    try {
      const model = await amqp.connect(url, { clientProperties: { connection_name: name } });
      model.on('error', () => {});
      // The queue probe may be handed a delivery before its cancel: a header bomb at the head of
      // the queue closed this connection on every try, and the service never became ready.
      guardReads(amqpSocket(model), () => {});
      try {
        missing = await missingTopology(model, needs);
      } finally {
        await model.close().catch(() => {});
      }
    } catch (err) {
      refused = (err as Error).message;
    }
    if (missing.length === 0 && refused === undefined) {
      if (attempt > 1) logger.info({ attempts: attempt }, 'broker topology present');
      return;
    }
    const delayMs = backoffDelay(attempt, baseMs, maxMs);
    logger.warn(
      { missing, refused, attempt, delayMs },
      'broker topology not usable yet (BROKER_DECLARE_TOPOLOGY=false: the Messaging Topology Operator creates it); not ready until it is',
    );
    await new Promise((r) => setTimeout(r, delayMs));
  }
}

// amqplib's promise API has no tx methods, but its channel's rpc() sends any method and awaits the
// reply. AMQP 0-9-1 ids: class tx = 90; select 10 / select-ok 11, rollback 30 / rollback-ok 31.
const txMethods = {
  'tx.select': [(90 << 16) | 10, (90 << 16) | 11],
  'tx.rollback': [(90 << 16) | 30, (90 << 16) | 31],
} as const;
async function txCall(ch: Channel, method: keyof typeof txMethods): Promise<void> {
  const [send, reply] = txMethods[method];
  await (ch as unknown as { rpc(m: number, f: object, r: number): Promise<unknown> }).rpc(send, {}, reply);
}

export function vhostOf(amqpUrl: string): string {
  const path = new URL(amqpUrl).pathname.slice(1);
  return path === '' ? '/' : decodeURIComponent(path);
}

/** Applies the definition's policies through the management HTTP API (the local stack's way). */
export async function applyPolicies(managementUrl: string, vhost: string, policies: PolicyDef[]): Promise<void> {
  const api = managementClient(managementUrl).json;
  for (const p of policies) {
    await api('PUT', `api/policies/${encodeURIComponent(vhost)}/${encodeURIComponent(p.name)}`, {
      pattern: p.pattern,
      'apply-to': p.applyTo,
      priority: p.priority,
      definition: p.definition,
    });
  }
}

interface BrokerBinding {
  source: string;
  destination: string;
  routing_key: string;
  properties_key: string;
}

/**
 * Removes bindings to our queues that the definition no longer has. A declare only ever adds, so
 * without this a stack switched from choreography to orchestration would keep the old bindings
 * and drive the saga both ways at once. Returns what it removed.
 */
export async function removeStaleBindings(managementUrl: string, vhost: string, topology: Topology): Promise<BrokerBinding[]> {
  const { json: api, request } = managementClient(managementUrl);
  const v = encodeURIComponent(vhost);
  const wanted = new Set(topology.bindings.map((b) => `${b.source}\0${b.destination}\0${b.routingKey}`));
  const removed: BrokerBinding[] = [];
  for (const { name } of topology.queues) {
    const bindings = (await api('GET', `api/queues/${v}/${encodeURIComponent(name)}/bindings`)) as BrokerBinding[];
    for (const b of bindings) {
      if (b.source === '' || wanted.has(`${b.source}\0${b.destination}\0${b.routing_key}`)) continue;
      const path = `api/bindings/${v}/e/${encodeURIComponent(b.source)}/q/${encodeURIComponent(b.destination)}/${encodeURIComponent(b.properties_key)}`;
      // Replicas (or a whole stack) starting at once after a mode switch remove the same bindings: one already gone is done.
      const res = await request(path, { method: 'DELETE' });
      if (res.status === 404) continue;
      if (!res.ok) throw new Error(`management API DELETE ${path}: ${res.status} ${await res.text()}`);
      removed.push(b);
    }
  }
  return removed;
}
