import type { TestEnv } from './env.js';
import { toolConnection } from './tool-connection.js';
import { waitFor } from './wait.js';

export interface QueueStats {
  messages: number;
  ready: number;
  unacked: number;
  consumers: number;
}

/** Queue depth as the broker reports it (the management API lags a few seconds; use for eventual checks). */
export async function queueStats(env: TestEnv, queue: string): Promise<QueueStats> {
  const res = await env.management(`api/queues/${encodeURIComponent(env.vhost)}/${encodeURIComponent(queue)}`);
  if (!res.ok) throw new Error(`queue ${queue}: ${res.status}`);
  const q = (await res.json()) as Record<string, number>;
  return { messages: q.messages ?? 0, ready: q.messages_ready ?? 0, unacked: q.messages_unacknowledged ?? 0, consumers: q.consumers ?? 0 };
}

export interface TakenMessage {
  body: unknown;
  raw: string;
  headers: Record<string, unknown>;
  type: string | undefined;
  messageId: string | undefined;
}

/** Takes (and acks) every message now ready in a queue: what a person inspecting a DLQ would see. */
export async function drainQueue(env: TestEnv, queue: string): Promise<TakenMessage[]> {
  const conn = await toolConnection(env.amqpUrl);
  try {
    const ch = await conn.createChannel();
    const out: TakenMessage[] = [];
    for (;;) {
      const msg = await ch.get(queue, { noAck: true });
      if (!msg) break;
      const raw = msg.content.toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      out.push({ body, raw, headers: msg.properties.headers ?? {}, type: msg.properties.type, messageId: msg.properties.messageId });
    }
    return out;
  } finally {
    await conn.close();
  }
}

/**
 * Publishes raw bytes: as the administrator (no user_id: what a consumer refuses as unverified),
 * or `as` a service, with that service's broker user and its user_id, as its relay would.
 */
export async function publishRaw(
  env: TestEnv,
  exchange: string,
  routingKey: string,
  content: string | Buffer,
  { as, ...options }: { type?: string; messageId?: string; correlationId?: string; headers?: Record<string, unknown>; as?: string } = {},
): Promise<void> {
  const url = as ? env.amqpUrlFor(as) : env.amqpUrl;
  const conn = await toolConnection(url);
  try {
    const ch = await conn.createConfirmChannel();
    const userId = as ? decodeURIComponent(new URL(url).username) : undefined;
    ch.publish(exchange, routingKey, Buffer.isBuffer(content) ? content : Buffer.from(content), {
      persistent: true,
      ...(userId ? { userId } : {}),
      ...options,
    });
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
}

/**
 * Waits until `n` messages have been taken from a queue, keeping what each poll took: taking
 * is destructive, so a poll that saw fewer than `n` must not throw its messages away (two parkings
 * landing on either side of a poll once hid the first one from a test for good).
 */
export async function takeMessages(
  env: TestEnv,
  queue: string,
  n: number,
  { timeoutMs, what = `${n} messages in ${queue}` }: { timeoutMs?: number; what?: string } = {},
): Promise<TakenMessage[]> {
  const taken: TakenMessage[] = [];
  return waitFor(
    async () => {
      taken.push(...(await drainQueue(env, queue)));
      return taken.length >= n ? taken : undefined;
    },
    { what, ...(timeoutMs ? { timeoutMs } : {}) },
  );
}
