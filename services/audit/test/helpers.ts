import { type Envelope, exchanges, isCommandType, newEnvelope } from '@orderly/events';
import { type RunningService, startService } from '@orderly/platform';
import { createTestEnv, publishRaw, type TestEnv, waitFor } from '@orderly/platform/testing';
import { definition } from '../src/service.js';

export type Service = RunningService<unknown>;

/** A vhost, a database and a running audit service; cleanups run after the file's tests. */
export async function startAudit(
  name: string,
  cleanups: (() => Promise<void>)[],
  vars: Record<string, string> = {},
): Promise<{ env: TestEnv; service: Service; url: (path: string) => string }> {
  const env = await createTestEnv(`audit_${name}`);
  cleanups.push(() => env.cleanup());
  const service = await startService(definition, { ...env.env, ...vars });
  cleanups.push(() => service.stop());
  return { env, service, url: (path) => `http://127.0.0.1:${service.port}${path}` };
}

/** Publishes a message where its producer would: events by type, commands by name. */
export async function publishMessage(env: TestEnv, envelope: Envelope, headers: Record<string, unknown> = {}): Promise<void> {
  const exchange = isCommandType(envelope.type) ? exchanges.commands : exchanges.events;
  await publishRaw(env, exchange, envelope.type, JSON.stringify(envelope), { type: envelope.type, messageId: envelope.id, headers });
}

export function message(source: string, type: string, orderId: string, data: unknown, cause?: Envelope, time?: string): Envelope {
  const envelope = newEnvelope(source, type, orderId, data, cause && { id: cause.id, correlationid: cause.correlationid });
  return time ? { ...envelope, time } : envelope;
}

export async function consumed(service: Service, outcome?: string): Promise<number> {
  const metric = await service.metrics.consumed.get();
  return metric.values
    .filter((v) => v.labels.queue === 'audit' && (!outcome || v.labels.outcome === outcome))
    .reduce((n, v) => n + v.value, 0);
}

export const untilConsumed = (service: Service, n: number) =>
  waitFor(async () => ((await consumed(service)) >= n ? true : undefined), { what: `${n} messages consumed` });
