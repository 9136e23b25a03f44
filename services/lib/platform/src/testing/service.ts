import { type Envelope, isMessageType, producerOf, routeOf } from '@orderly/events';
import type { z } from 'zod';
import type { BaseConfig } from '../config.js';
import { type RunningService, type ServiceDefinition, startService } from '../service.js';
import type { TestEnv } from './env.js';
import { publishRaw } from './queues.js';
import { waitFor } from './wait.js';

/** Resources a test file opens, closed newest first after its tests whatever happened. */
export function cleanupList() {
  const cleanups: (() => Promise<unknown>)[] = [];
  return {
    add: (fn: () => Promise<unknown>) => void cleanups.push(fn),
    async run() {
      for (const c of cleanups.reverse()) await c().catch(() => {});
    },
  };
}
export type Cleanups = ReturnType<typeof cleanupList>;

/** A service under test in the file's vhost and database, stopped with the file's cleanups. */
export async function startTestService<S extends z.ZodType<BaseConfig>>(
  definition: ServiceDefinition<S>,
  env: TestEnv,
  cleanups: Cleanups,
  vars: Record<string, string> = {},
): Promise<RunningService<z.infer<S>>> {
  const service = await startService(definition, { ...env.envFor(definition.name), ...vars });
  cleanups.add(() => service.stop());
  return service;
}

/**
 * Publishes an envelope where its producer's relay would: events by type, commands by name, with
 * type and message id, as the broker user of the service that produces the type (or `as` another).
 */
export async function publishEnvelope(
  env: TestEnv,
  envelope: Envelope,
  headers: Record<string, unknown> = {},
  as: string | undefined = isMessageType(envelope.type) ? producerOf(envelope.type) : undefined,
): Promise<Envelope> {
  const { exchange, routingKey } = routeOf(envelope.type);
  await publishRaw(env, exchange, routingKey, JSON.stringify(envelope), {
    type: envelope.type,
    messageId: envelope.id,
    headers,
    ...(as ? { as } : {}),
  });
  return envelope;
}

/** Messages a service has consumed, from its own orderly_messages_consumed_total. */
export async function consumedCount(service: RunningService<unknown>, filter: { queue?: string; outcome?: string } = {}): Promise<number> {
  const metric = await service.metrics.consumed.get();
  return metric.values
    .filter((v) => (!filter.queue || v.labels.queue === filter.queue) && (!filter.outcome || v.labels.outcome === filter.outcome))
    .reduce((n, v) => n + v.value, 0);
}

/** Waits until the service has consumed at least n messages (matching the filter). */
export const untilConsumed = (service: RunningService<unknown>, n: number, filter: { queue?: string; outcome?: string } = {}) =>
  waitFor(async () => ((await consumedCount(service, filter)) >= n ? true : undefined), {
    what: `${n} messages consumed${filter.outcome ? ` (${filter.outcome})` : ''}`,
  });
