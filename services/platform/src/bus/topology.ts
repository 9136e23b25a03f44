import type { PolicyDef, Topology } from '@orderly/events';
import type { ChannelModel } from 'amqplib';

/** Declares every exchange, queue and binding of the definition; idempotent, run on each connect. */
export async function assertTopology(model: ChannelModel, topology: Topology): Promise<void> {
  const ch = await model.createChannel();
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

export function vhostOf(amqpUrl: string): string {
  const path = new URL(amqpUrl).pathname.slice(1);
  return path === '' ? '/' : decodeURIComponent(path);
}

/** Applies the definition's policies through the management HTTP API (the local stack's way). */
export async function applyPolicies(managementUrl: string, vhost: string, policies: PolicyDef[]): Promise<void> {
  const base = new URL(managementUrl);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
  base.username = '';
  base.password = '';
  for (const p of policies) {
    const url = new URL(`api/policies/${encodeURIComponent(vhost)}/${encodeURIComponent(p.name)}`, base);
    const res = await fetch(url, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ pattern: p.pattern, 'apply-to': p.applyTo, priority: p.priority, definition: p.definition }),
    });
    if (!res.ok) throw new Error(`policy ${p.name} on vhost ${vhost}: ${res.status} ${await res.text()}`);
  }
}
