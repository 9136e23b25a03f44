import type { Manifest } from '../manifest.js';
import { resolveEnv } from './env.js';
import { serviceRunBy, workloads } from './workloads.js';

/**
 * Each service's migrations run as a Job applied with the release: the same image and entry point
 * as the Deployment, with MIGRATE_ONLY=true so the process applies the migrations and exits 0
 * without touching the broker (without it the Job would run the service until its deadline). Not a
 * Helm hook: a pre-upgrade hook runs before the ServiceAccount, Secrets and database role of a
 * newly enabled component exist, and Helm waits for every hook Job in turn on each upgrade
 * (admission/ordering.ts checks the first). When the chart renders no Jobs, nothing is checked.
 */
export function checkMigrations(manifests: Manifest[]): string[] {
  const jobs = workloads(manifests, ['Job']);
  if (jobs.length === 0) return [];
  const problems: string[] = [];
  for (const d of workloads(manifests, ['Deployment'])) {
    const container = d.pod.containers[0];
    const service = container && serviceRunBy(container);
    if (!service) continue;
    const job = jobs.find((j) => j.pod.containers.some((c) => serviceRunBy(c) === service));
    const where = `Deployment/${d.manifest.metadata.name}`;
    if (!job) {
      problems.push(`${where}: no migration Job runs ${service}`);
      continue;
    }
    const jobWhere = `Job/${job.manifest.metadata.name}`;
    const hooks = job.manifest.metadata.annotations?.['helm.sh/hook'];
    if (hooks) problems.push(`${jobWhere}: a Helm hook ("${hooks}"); it must be applied with the objects it needs`);
    const c = job.pod.containers.find((x) => serviceRunBy(x) === service)!;
    if (c.image !== container.image) problems.push(`${jobWhere}: image ${c.image} is not the Deployment's ${container.image}`);
    const { env } = resolveEnv(c.env ?? [], manifests);
    if (env.MIGRATE_ONLY !== 'true') problems.push(`${jobWhere}: MIGRATE_ONLY must be "true" (found ${JSON.stringify(env.MIGRATE_ONLY)})`);
    const { env: deploymentEnv } = resolveEnv(container.env ?? [], manifests);
    if (deploymentEnv.MIGRATE_ONLY !== undefined && deploymentEnv.MIGRATE_ONLY !== 'false')
      problems.push(`${where}: MIGRATE_ONLY is set (${deploymentEnv.MIGRATE_ONLY}); the service would exit after migrating`);
    if (env.DATABASE_URL !== deploymentEnv.DATABASE_URL || env.DB_SCHEMA !== deploymentEnv.DB_SCHEMA)
      problems.push(`${jobWhere}: migrates another database or schema than the Deployment uses`);
  }
  return problems;
}
