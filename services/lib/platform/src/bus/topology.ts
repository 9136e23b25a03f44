import type { PolicyDef, Topology } from '@orderly/events';
import type { ChannelModel } from 'amqplib';
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
 * Checks that what the service uses exists, declaring nothing (passive declares). A missing
 * exchange or queue closes the channel with NOT_FOUND, so the service fails to start loudly.
 */
export async function checkTopology(model: ChannelModel, topology: Topology): Promise<void> {
  const ch = await model.createChannel();
  // A refused declare (NOT_FOUND, PRECONDITION_FAILED) rejects the call below; the channel's own
  // 'error' event would otherwise crash the process.
  ch.on('error', () => {});
  try {
    for (const { name } of topology.exchanges) await ch.checkExchange(name);
    for (const { name } of topology.queues) await ch.checkQueue(name);
  } finally {
    await ch.close().catch(() => {});
  }
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
  const api = managementClient(managementUrl).json;
  const v = encodeURIComponent(vhost);
  const wanted = new Set(topology.bindings.map((b) => `${b.source}\0${b.destination}\0${b.routingKey}`));
  const removed: BrokerBinding[] = [];
  for (const { name } of topology.queues) {
    const bindings = (await api('GET', `api/queues/${v}/${encodeURIComponent(name)}/bindings`)) as BrokerBinding[];
    for (const b of bindings) {
      if (b.source === '' || wanted.has(`${b.source}\0${b.destination}\0${b.routing_key}`)) continue;
      const path = `api/bindings/${v}/e/${encodeURIComponent(b.source)}/q/${encodeURIComponent(b.destination)}/${encodeURIComponent(b.properties_key)}`;
      await api('DELETE', path);
      removed.push(b);
    }
  }
  return removed;
}
