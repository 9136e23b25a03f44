import { identityConfigSchema } from '@orderly/identity';
import type { z } from 'zod';
import type { Manifest } from '../manifest.js';
import { resolveEnv, runtimeVariable } from './env.js';
import type { ServicePackage } from './services.js';
import { type Workload, workloads } from './workloads.js';

/**
 * Each container's environment, parsed by that service's own zod config schema: a variable the
 * schema does not read is a typo or a leftover (zod would drop it silently), a value it rejects
 * would stop the service at start. The drain time must fit in the pod's grace period.
 */
export function checkConfig(manifests: Manifest[], services: Map<string, ServicePackage>): string[] {
  return workloads(manifests).flatMap((w) => checkWorkload(w, manifests, services));
}

function checkWorkload(w: Workload, manifests: Manifest[], services: Map<string, ServicePackage>): string[] {
  const where = `${w.manifest.kind}/${w.manifest.metadata.name}`;
  const service = w.component.replace(/-migrate$/, '');
  // The demo identity provider (auth.demoProvider) is a library package with its own schema, not a service.
  const pkg = service === 'identity' ? identityPackage : services.get(service);
  if (!pkg) return [`${where}: no service package services/${service} (with src/main.ts) for component ${w.component}`];
  if (pkg.importError) return [`${where}: @orderly/${service} cannot be imported: ${pkg.importError}`];
  if (!pkg.configSchema) return [`${where}: @orderly/${service} does not export configSchema from src/index.ts`];
  const problems: string[] = [];
  for (const c of w.pod.containers) {
    const { env, problems: refProblems, helpers } = resolveEnv(c.env ?? [], manifests);
    problems.push(...refProblems.map((p) => `${where} ${c.name}: ${p}`));
    problems.push(...envProblems(pkg.configSchema, env, helpers).map((p) => `${where} ${c.name}: ${p}`));
    const parsed = pkg.configSchema.safeParse(withoutEmpty(env));
    if (parsed.success && w.manifest.kind === 'Deployment') {
      const config = parsed.data as { PORT: number; SHUTDOWN_TIMEOUT_MS: number };
      const grace = w.pod.terminationGracePeriodSeconds ?? 30;
      if (grace * 1000 <= config.SHUTDOWN_TIMEOUT_MS) {
        problems.push(
          `${where}: terminationGracePeriodSeconds ${grace}s does not exceed SHUTDOWN_TIMEOUT_MS ${config.SHUTDOWN_TIMEOUT_MS}ms`,
        );
      }
    }
  }
  return problems;
}

/** What a schema says about an environment: unknown names and rejected values. */
export function envProblems(schema: z.ZodType, env: Record<string, string>, helpers: Set<string> = new Set()): string[] {
  const problems: string[] = [];
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  if (shape) {
    for (const name of Object.keys(env)) {
      if (!(name in shape) && !runtimeVariable(name) && !helpers.has(name))
        problems.push(`${name} is not a variable of the service's config schema${hints[name] ?? ''}`);
    }
  }
  const result = schema.safeParse(withoutEmpty(env));
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return problems;
}

const hints: Record<string, string> = {
  MIGRATE_ONLY: ' (the migration Job needs it: with MIGRATE_ONLY=true a service applies its migrations and exits 0)',
};

const identityPackage: ServicePackage = { name: 'identity', configSchema: identityConfigSchema };

// loadConfig treats an empty variable as unset; so do we.
const withoutEmpty = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
