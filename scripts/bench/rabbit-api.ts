/** The few RabbitMQ management API calls the bench needs (vhost counters, queued messages). */
import { managementClient, vhostOf } from '@orderly/platform';
import { localAdmin } from '../local/services.ts';
import { databaseUrl } from './pg-stats.ts';

export const amqpUrl = () => process.env.AMQP_URL ?? localAdmin.AMQP_URL;
const managementUrl = () => process.env.RABBITMQ_MANAGEMENT_URL ?? localAdmin.RABBITMQ_MANAGEMENT_URL;

/** The servers the bench measures, for the shared scratch database and vhost helpers. */
export const benchServers = () => ({ databaseUrl: databaseUrl(), amqpUrl: amqpUrl(), managementUrl: managementUrl() });

/** GET (or another method) on the management API; the path is below /api/. */
export function management(path: string, init: { method?: string; body?: unknown } = {}): Promise<unknown> {
  return managementClient(managementUrl()).json(init.method ?? 'GET', `api/${path}`, init.body);
}

/** The vhost of AMQP_URL (`orderly` locally). */
export const orderlyVhost = () => vhostOf(amqpUrl());

export interface VhostCounters {
  publish: number;
  deliverGet: number;
  /** Deliveries from quorum queues alone (each a replicated, fsynced copy); the rest came from streams or classic queues. */
  quorumDeliverGet: number;
}

export async function vhostCounters(vhost = orderlyVhost()): Promise<VhostCounters> {
  const v = (await management(`vhosts/${encodeURIComponent(vhost)}`)) as {
    message_stats?: { publish?: number; deliver_get?: number };
  };
  const queues = (await management(`queues/${encodeURIComponent(vhost)}?columns=name,type,message_stats.deliver_get`)) as {
    type?: string;
    message_stats?: { deliver_get?: number };
  }[];
  const quorumDeliverGet = queues.filter((q) => q.type === 'quorum').reduce((n, q) => n + (q.message_stats?.deliver_get ?? 0), 0);
  return { publish: v.message_stats?.publish ?? 0, deliverGet: v.message_stats?.deliver_get ?? 0, quorumDeliverGet };
}

/** Messages waiting in the vhost's queues, parking lots (`*.dlq`) excluded: they never drain by themselves. */
export async function queuedMessages(vhost = orderlyVhost()): Promise<number> {
  const queues = (await management(`queues/${encodeURIComponent(vhost)}?columns=name,messages,type`)) as {
    name: string;
    messages?: number;
    type?: string;
  }[];
  // A stream keeps what it has delivered (its retention), so its count is no backlog; its readers'
  // lag is orderly_stream_reader_lag_seconds.
  return queues.filter((q) => !q.name.endsWith('.dlq') && q.type !== 'stream').reduce((n, q) => n + (q.messages ?? 0), 0);
}

/**
 * Queues the broker holds in vhosts other than this run's (earlier runs' or tests' leftovers, another
 * stack): each costs the broker CPU while idle, which the idle figure then counts as the stack's.
 */
export async function otherVhostQueues(vhost = orderlyVhost()): Promise<{ vhosts: number; queues: number }> {
  const queues = (await management('queues?columns=vhost')) as { vhost: string }[];
  const others = queues.filter((q) => q.vhost !== vhost);
  return { vhosts: new Set(others.map((q) => q.vhost)).size, queues: others.length };
}
