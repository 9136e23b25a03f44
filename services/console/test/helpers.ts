import { randomBytes } from 'node:crypto';
import { deadLetterExchange, deadLetterQueue, type Envelope, newEnvelope, type SagaMode, topology } from '@orderly/events';
import { applyPolicies, assertTopology, type RunningService, startService } from '@orderly/platform';
import { type Cleanups, cleanupList, createTestEnv, publishRaw, type TestEnv, waitFor } from '@orderly/platform/testing';
import { ContractCheck } from '@orderly/testkit';
import amqp from 'amqplib';
import { definition } from '../src/service.js';

export type Service = RunningService<unknown>;
// biome-ignore lint/suspicious/noExplicitAny: the tests read answers field by field, as a client would
export type Json = any;

/** A test file's vhost and database, and what it starts, stopped after its tests. */
export async function consoleTestEnv(name: string): Promise<{ env: TestEnv; cleanups: Cleanups }> {
  const cleanups = cleanupList();
  const env = await createTestEnv(`console_${name}`);
  cleanups.add(() => env.cleanup());
  return { env, cleanups };
}

/** The pipeline's topology, declared by the administrator (as the chart's operator would); the console declares nothing. */
export async function declareTopology(env: TestEnv, mode: SagaMode = 'choreography', deliveryLimit = 20): Promise<void> {
  const t = topology({ mode, deliveryLimit });
  const model = await amqp.connect(env.amqpUrl);
  try {
    await assertTopology(model, t);
  } finally {
    await model.close();
  }
  await applyPolicies(env.managementUrl, env.vhost, t.policies);
}

/** Every service trusts the console's copies (BROKER_REDRIVE_USER), as the chart configures them. */
export const trustingTheConsole = (env: TestEnv) => ({ BROKER_REDRIVE_USER: `${env.vhost}.console` });

/**
 * The console as its own broker user (the chart's rights: it declares nothing, so a service must
 * have declared the topology first), its API's services at `ports`.
 */
export async function startConsole(
  env: TestEnv,
  cleanups: Cleanups,
  vars: Record<string, string> = {},
): Promise<Service & { url: (path: string) => string }> {
  const service = (await startService(definition, {
    ...env.envFor('console'),
    CONSOLE_PUBLIC_URL: 'http://127.0.0.1:8087',
    CONSOLE_SESSION_SECRET: randomBytes(32).toString('base64url'),
    // Each service on its own port in a test: a template per port is all a test needs.
    SERVICE_URL_TEMPLATE: 'http://127.0.0.1:{port}',
    REDRIVE_RESUME_AFTER_S: '1',
    ...vars,
  })) as Service;
  cleanups.add(() => service.stop());
  return { ...service, url: (path) => `http://127.0.0.1:${service.port}${path}` };
}

/** The console's OpenAPI document, as the services' test clients check theirs: every answer below is held to it. */
const contract = new ContractCheck();

/**
 * Calls the console's API as an operator (or with the given token, or none). The answer is checked
 * against the console's OpenAPI document: a status, media type or field it does not describe fails the call.
 */
export async function api<T = Json>(
  console: { url: (path: string) => string },
  env: TestEnv,
  path: string,
  { method = 'GET', json, token }: { method?: string; json?: unknown; token?: string | null } = {},
): Promise<{ status: number; body: T }> {
  const bearer = token === undefined ? await env.issuer.operator('ops') : token;
  const res = await fetch(console.url(path), {
    method,
    headers: {
      ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await res.text();
  await contract.check(res.url, method, res, text);
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Parks a message in `<queue>.dlq` the way the queue's consumer would (its dead-letter exchange, its user). */
export async function park(
  env: TestEnv,
  queue: string,
  owner: string,
  content: string | Buffer,
  { headers = {}, type, messageId }: { headers?: Record<string, unknown>; type?: string; messageId?: string } = {},
): Promise<void> {
  await publishRaw(env, deadLetterExchange(queue), queue, content, {
    as: owner,
    headers: {
      'x-orderly-error': 'Error: broken on purpose',
      'x-orderly-attempts': 3,
      'x-orderly-failed-at': new Date().toISOString(),
      'x-orderly-published-by': `${env.vhost}.order`,
      ...headers,
    },
    ...(type ? { type } : {}),
    ...(messageId ? { messageId } : {}),
  });
}

/** An order.confirmed event, as the order service would send it. */
export function confirmed(orderId: string = crypto.randomUUID()): Envelope {
  return newEnvelope('order', 'order.confirmed', orderId, {
    orderId,
    customerId: 'C1',
    email: 'c1@example.com',
    totalCents: 1999,
    currency: 'EUR',
  });
}

/** Waits until the console's search finds n rows (matching the query string). */
export const untilRecorded = (console: { url: (path: string) => string }, env: TestEnv, n: number, query = '') =>
  waitFor(
    async () => {
      const res = await api<{ items: Json[] }>(console, env, `/api/dead-letters?limit=500${query}`);
      return res.status === 200 && res.body.items.length >= n ? res.body.items : undefined;
    },
    { what: `${n} dead letters recorded${query ? ` (${query})` : ''}`, timeoutMs: 20_000 },
  );

/** How many messages wait in `<queue>.dlq` now (the broker's count, not the management API's). */
export async function dlqDepthOf(env: TestEnv, queue: string): Promise<number> {
  const conn = await amqp.connect(env.amqpUrl);
  try {
    return (await (await conn.createChannel()).checkQueue(deadLetterQueue(queue))).messageCount;
  } finally {
    await conn.close();
  }
}
