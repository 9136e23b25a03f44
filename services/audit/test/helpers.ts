import { type Envelope, newEnvelope } from '@orderly/events';
import { type RunningService, startService } from '@orderly/platform';
import { consumedCount, createTestEnv, publishEnvelope, type TestEnv, untilConsumed as untilConsumedBy } from '@orderly/platform/testing';
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
  const service = await startService(definition, { ...env.envFor('audit'), ...vars });
  cleanups.push(() => service.stop());
  return { env, service, url: (path) => `http://127.0.0.1:${service.port}${path}` };
}

/** Publishes a message where its producer would: events by type, commands by name. */
export const publishMessage = publishEnvelope;

export function message(source: string, type: string, orderId: string, data: unknown, cause?: Envelope, time?: string): Envelope {
  const envelope = newEnvelope(source, type, orderId, data, cause && { id: cause.id, correlationid: cause.correlationid });
  return time ? { ...envelope, time } : envelope;
}

export const consumed = (service: Service, outcome?: string) => consumedCount(service, { queue: 'audit', ...(outcome ? { outcome } : {}) });

export const untilConsumed = (service: Service, n: number) => untilConsumedBy(service, n, { queue: 'audit' });
