import type { PolicyDef, Topology } from '@orderly/events';
import type { ChannelModel } from 'amqplib';

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
