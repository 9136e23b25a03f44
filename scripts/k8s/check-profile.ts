import { consumerQueues, type SagaMode } from '@orderly/events';
import { checkAccess } from './contracts/access.js';
import { checkConfig } from './contracts/config.js';
import { checkDockerfile } from './contracts/dockerfile.js';
import { resolveEnv } from './contracts/env.js';
import { checkCoverage, checkImages, readSkaffold, skaffoldValues } from './contracts/images.js';
import { checkMigrations } from './contracts/migrations.js';
import { checkProbes } from './contracts/probes.js';
import { checkScaling } from './contracts/scaling.js';
import type { ServicePackage } from './contracts/services.js';
import { checkTopology } from './contracts/topology.js';
import { workloads } from './contracts/workloads.js';
import type { CrdValidator } from './crd-validator.js';
import { helmLint, helmTemplate, type Profile } from './helm.js';
import { describe, type Manifest } from './manifest.js';
import { validateObject } from './object-validator.js';
import type { Report } from './report.js';

/** All checks of one values profile: lint, render, validate every object, then the contracts. */
export async function checkProfile(
  p: Profile,
  report: Report,
  crds: CrdValidator | undefined,
  services: Map<string, ServicePackage>,
): Promise<void> {
  const tag = `[${p.name}]`;
  await report.run(`${tag} helm lint --strict`, () => helmLint(p));
  let manifests: Manifest[];
  try {
    // Rendered with the values skaffold passes, so the images are the ones skaffold builds.
    manifests = await helmTemplate(p, skaffoldValues(await readSkaffold()));
  } catch (err) {
    report.add(`${tag} helm template`, [(err as Error).message]);
    return;
  }
  await report.run(`${tag} objects validated`, async () => validateAll(manifests, crds));
  await report.run(`${tag} env satisfies each service's config schema`, async () => checkConfig(manifests, services));
  await report.run(`${tag} probe paths and ports are served`, () => checkProbes(manifests));
  const { mode, deliveryLimit, vhost } = brokerSettings(manifests);
  // Queues of services not written yet (no services/<name>) are named, not failed: they join when the package exists.
  const consumers = consumerQueues(mode);
  const pending = [...new Set(consumers.filter((c) => !services.has(c.service)).map((c) => c.service))];
  await report.run(`${tag} every consuming queue has a ScaledObject on its consumer`, async () => ({
    problems: checkScaling(
      manifests,
      consumers.filter((c) => services.has(c.service)),
      vhost,
    ),
    detail: pending.length ? `services not written yet, skipped: ${pending.join(', ')}` : `${consumers.length} queues`,
  }));
  await report.run(`${tag} topology resources equal the code's (${mode})`, async () =>
    checkTopology(manifests, mode, deliveryLimit, vhost),
  );
  await report.run(`${tag} broker permissions are the least each service needs (${mode})`, async () => checkAccess(manifests, mode, vhost));
  await report.run(`${tag} migration hook Jobs run MIGRATE_ONLY before each upgrade`, async () => checkMigrations(manifests));
  await report.run(`${tag} every image is built by skaffold`, async () => checkImages(manifests, await readSkaffold()));
  await report.run(`${tag} every service package is deployed and built`, async () =>
    checkCoverage(manifests, [...services.keys()], await readSkaffold()),
  );
  await report.run(`${tag} Dockerfile targets run files of the build output`, () => checkDockerfile(manifests));
}

/** Every rendered object against its schema; the detail line says how each kind was validated. */
export function validateAll(manifests: Manifest[], crds: CrdValidator | undefined): { problems: string[]; detail: string } {
  const counts = { core: 0, crd: 0, structural: 0, unrecognised: 0 };
  const structural = new Set<string>();
  const problems: string[] = [];
  for (const m of manifests) {
    const v = validateObject(m, crds);
    counts[v.kind]++;
    if (v.kind === 'structural') structural.add(`${m.kind}: ${v.why}`);
    problems.push(...v.problems.map((p) => `${describe(m)}: ${p}`));
  }
  const parts = [`${manifests.length} objects: ${counts.core} core`, `${counts.crd} against CRDs`];
  if (counts.structural) parts.push(`${counts.structural} only structurally [${[...structural].sort().join('; ')}]`);
  if (counts.unrecognised) parts.push(`${counts.unrecognised} unrecognised`);
  return { problems, detail: parts.join(', ') };
}

/** SAGA_MODE, DELIVERY_LIMIT and the vhost the services actually get (from the order Deployment's env). */
function brokerSettings(manifests: Manifest[]): { mode: SagaMode; deliveryLimit: number; vhost: string } {
  const d = workloads(manifests, ['Deployment'])[0];
  const env = d ? resolveEnv(d.pod.containers[0]?.env ?? [], manifests).env : {};
  const vhost = env.AMQP_URL ? decodeURIComponent(new URL(env.AMQP_URL).pathname.slice(1)) || '/' : '/';
  return { mode: (env.SAGA_MODE ?? 'choreography') as SagaMode, deliveryLimit: Number(env.DELIVERY_LIMIT ?? 20), vhost };
}
