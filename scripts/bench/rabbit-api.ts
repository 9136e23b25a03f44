/** The few RabbitMQ management API calls the bench needs (vhost counters, scratch vhosts). */
import { localDefaults } from '../lib/services.ts';

export const amqpUrl = () => process.env.AMQP_URL ?? localDefaults.AMQP_URL;
const managementUrl = () => new URL(process.env.RABBITMQ_MANAGEMENT_URL ?? localDefaults.RABBITMQ_MANAGEMENT_URL);

export async function management(path: string, init: RequestInit = {}): Promise<unknown> {
  const base = managementUrl();
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64');
  const url = new URL(`api/${path}`, `${base.origin}${base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`}`);
  const res = await fetch(url, {
    ...init,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json', ...init.headers },
  });
  if (!res.ok) throw new Error(`management API ${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/** The vhost of AMQP_URL (`orderly` locally). */
export function orderlyVhost(): string {
  return decodeURIComponent(new URL(amqpUrl()).pathname.slice(1)) || '/';
}

export interface VhostCounters {
  publish: number;
  deliverGet: number;
}

export async function vhostCounters(vhost = orderlyVhost()): Promise<VhostCounters> {
  const v = (await management(`vhosts/${encodeURIComponent(vhost)}`)) as {
    message_stats?: { publish?: number; deliver_get?: number };
  };
  return { publish: v.message_stats?.publish ?? 0, deliverGet: v.message_stats?.deliver_get ?? 0 };
}

/** Messages waiting in the vhost's queues, parking lots (`*.dlq`) excluded: they never drain by themselves. */
export async function queuedMessages(vhost = orderlyVhost()): Promise<number> {
  const queues = (await management(`queues/${encodeURIComponent(vhost)}?columns=name,messages`)) as { name: string; messages?: number }[];
  return queues.filter((q) => !q.name.endsWith('.dlq')).reduce((n, q) => n + (q.messages ?? 0), 0);
}

export async function createVhost(name: string, user: string): Promise<void> {
  await management(`vhosts/${encodeURIComponent(name)}`, { method: 'PUT', body: '{}' });
  await management(`permissions/${encodeURIComponent(name)}/${encodeURIComponent(user)}`, {
    method: 'PUT',
    body: JSON.stringify({ configure: '.*', write: '.*', read: '.*' }),
  });
}

export async function deleteVhost(name: string): Promise<void> {
  await management(`vhosts/${encodeURIComponent(name)}`, { method: 'DELETE' }).catch(() => undefined);
}
