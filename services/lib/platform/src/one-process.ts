/**
 * Several services in one Node process (the local stack's one-process mode): each keeps what it has
 * as its own process — its configuration, broker connections and user, database pool and role,
 * metrics registry, HTTP port — and only the process, the event loop and the tracer are shared.
 *
 * One process is one failure domain: a service that fails to start stops the others and the process
 * exits, and an uncaught exception in any service's code ends the process (Node's default, left in
 * place on purpose) so the stack's supervisor restarts all of them; none is left running beside a
 * dead one. Kubernetes keeps one Deployment per service (docs/decisions, one-process local stack).
 */
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { BaseConfig } from './config.js';
import { type RunningService, type ServiceDefinition, startService } from './service.js';

/** What the launcher hands the process on its standard input, so the services' credentials are not in its environment. */
export const hostedSpec = z.object({
  services: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z][a-z-]*$/),
        /** The built module that exports the service's `definition`. */
        module: z.string().min(1),
        env: z.record(z.string(), z.string()),
      }),
    )
    .min(1),
});
export type HostedSpec = z.infer<typeof hostedSpec>;

export interface HostedServices {
  services: RunningService<BaseConfig>[];
  /** Drains every service at once (each in the order that loses nothing); the longest SHUTDOWN_TIMEOUT_MS bounds it. */
  stop(): Promise<void>;
  readonly shutdownTimeoutMs: number;
}

async function definitionOf(name: string, module: string): Promise<ServiceDefinition<z.ZodType<BaseConfig>>> {
  const loaded = (await import(pathToFileURL(module).href)) as { definition?: ServiceDefinition<z.ZodType<BaseConfig>> };
  if (loaded.definition?.name !== name) throw new Error(`${module} does not define the ${name} service`);
  return loaded.definition;
}

/** Starts every service of the spec; if one cannot start, the ones that did are stopped and the error names it. */
export async function startHosted(spec: HostedSpec): Promise<HostedServices> {
  const definitions = await Promise.all(spec.services.map((s) => definitionOf(s.name, s.module)));
  const results = await Promise.allSettled(definitions.map((def, i) => startService(def, spec.services[i]!.env)));
  const running = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${spec.services[i]!.name}: ${(r.reason as Error).message}`] : []));
  if (failed.length > 0) {
    await Promise.allSettled(running.map((s) => s.stop()));
    throw new Error(`not started, so none runs:\n${failed.join('\n')}`);
  }
  return {
    services: running,
    stop: async () => {
      await Promise.all(running.map((s) => s.stop()));
    },
    shutdownTimeoutMs: Math.max(...running.map((s) => s.config.SHUTDOWN_TIMEOUT_MS)),
  };
}
