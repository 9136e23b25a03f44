import { consoleAccess, publishers, queuesReadBy, type SagaMode, type ServiceName, servicePorts, topology } from '@orderly/events';
import type { Manifest } from '../manifest.js';
import { resolveEnv, secretValue } from './env.js';
import { serviceRunBy, workloads } from './workloads.js';

interface PermissionSpec {
  vhost: string;
  userReference?: { name: string };
  permissions: { configure?: string; write?: string; read?: string };
}

/**
 * Each service's broker access is the least the code needs, followed from its Deployment: the
 * AMQP_URL's user → the User importing that Secret → its Permission. The service declares nothing
 * (BROKER_DECLARE_TOPOLOGY=false, the operator owns the topology), so the Permission configures
 * nothing, writes exactly the exchanges publishers(mode) names and reads exactly its own queues —
 * judged by what each regex accepts among every name of the topology, not by how it is spelt.
 * The console the same way, against consoleAccess(mode): every DLQ read, every retry exchange and
 * its events' exchange written, nothing else.
 */
export function checkAccess(manifests: Manifest[], mode: SagaMode, vhost: string): string[] {
  const t = topology({ mode, deliveryLimit: 1 });
  const names = [...t.exchanges.map((e) => e.name), ...t.queues.map((q) => q.name)];
  const problems: string[] = [];
  for (const w of workloads(manifests, ['Deployment'])) {
    for (const c of w.pod.containers) {
      const service = serviceRunBy(c);
      if (!service || !(service in servicePorts || service === 'console')) continue;
      const where = `Deployment/${w.manifest.metadata.name}`;
      const { env } = resolveEnv(c.env ?? [], manifests);
      if (env.BROKER_DECLARE_TOPOLOGY !== 'false')
        problems.push(`${where}: BROKER_DECLARE_TOPOLOGY must be "false" (the Topology Operator owns the topology)`);
      const amqpRef = c.env?.find((v) => v.name === 'AMQP_URL')?.valueFrom?.secretKeyRef;
      if (!amqpRef) {
        problems.push(`${where}: AMQP_URL does not come from a Secret`);
        continue;
      }
      const permission = permissionFor(manifests, amqpRef.name, env.AMQP_URL);
      if (typeof permission === 'string') {
        problems.push(`${where}: ${permission}`);
        continue;
      }
      const p = permission.spec;
      const expected = { configure: [] as string[], ...needs(service, mode) };
      if (p.vhost !== vhost) problems.push(`${where}: Permission in vhost ${p.vhost}, the service connects to ${vhost}`);
      for (const kind of ['configure', 'write', 'read'] as const) {
        const granted = accepted(p.permissions[kind] ?? '', names);
        if (typeof granted === 'string') {
          problems.push(`Permission/${permission.name} ${kind}: ${granted}`);
          continue;
        }
        const want = [...expected[kind]].sort();
        if (granted.join() !== want.join())
          problems.push(
            `Permission/${permission.name} ${kind} allows [${granted.join(', ')}], ${service} needs exactly [${want.join(', ')}]`,
          );
      }
    }
  }
  return problems;
}

/** What a service (or the console) must be able to write and read on the broker in a mode: exactly that. */
function needs(service: string, mode: SagaMode): { write: string[]; read: string[] } {
  if (service === 'console') {
    const { publishes, consumes } = consoleAccess(mode);
    return { write: publishes, read: consumes };
  }
  return {
    write: publishers(mode)[service as ServiceName],
    // Its own queues, and the event stream for a reader that only records.
    read: queuesReadBy(mode, service),
  };
}

/**
 * A consumer believes the attempt and publisher headers of a redriven copy only when its broker
 * user is BROKER_REDRIVE_USER (decision 0011): every service must name the console's own user
 * (the one in the console's AMQP Secret) when the console runs, and none when it does not.
 */
export function checkRedriveUser(manifests: Manifest[]): string[] {
  const deployments = workloads(manifests, ['Deployment']).flatMap((w) =>
    w.pod.containers.map((c) => ({ where: `Deployment/${w.manifest.metadata.name}`, service: serviceRunBy(c), c })),
  );
  const consoleContainer = deployments.find((d) => d.service === 'console')?.c;
  const consoleSecret = consoleContainer?.env?.find((v) => v.name === 'AMQP_URL')?.valueFrom?.secretKeyRef?.name;
  const consoleUser = consoleSecret ? secretValue(manifests, consoleSecret, 'username') : undefined;
  const problems: string[] = [];
  for (const { where, service, c } of deployments) {
    if (!service) continue;
    const { env } = resolveEnv(c.env ?? [], manifests);
    const named = env.BROKER_REDRIVE_USER;
    if (consoleContainer && named !== consoleUser)
      problems.push(`${where}: BROKER_REDRIVE_USER is ${named ?? 'unset'}, the console's broker user is ${consoleUser}`);
    if (!consoleContainer && named !== undefined)
      problems.push(`${where}: BROKER_REDRIVE_USER names ${named}, but no console runs: nobody's redrive should be trusted`);
  }
  return problems;
}

/** The Permission of the user whose credentials are in the Secret (and in the URL the service gets). */
function permissionFor(
  manifests: Manifest[],
  secretName: string,
  url: string | undefined,
): { name: string; spec: PermissionSpec } | string {
  const username = secretValue(manifests, secretName, 'username');
  if (url && username && decodeURIComponent(new URL(url).username) !== username)
    return `AMQP_URL's user is not ${username}, the user of Secret ${secretName}`;
  const users = manifests.filter(
    (m) => m.kind === 'User' && (m.spec as { importCredentialsSecret?: { name: string } }).importCredentialsSecret?.name === secretName,
  );
  if (users.length !== 1) return `expected one broker User importing Secret ${secretName}, found ${users.length}`;
  const userName = users[0]!.metadata.name;
  const permissions = manifests.filter((m) => m.kind === 'Permission' && (m.spec as PermissionSpec).userReference?.name === userName);
  if (permissions.length !== 1) return `expected one Permission for User ${userName}, found ${permissions.length}`;
  return { name: permissions[0]!.metadata.name, spec: permissions[0]!.spec as PermissionSpec };
}

/** The names a RabbitMQ permission regex (unanchored, as the broker applies it) accepts. */
export function accepted(pattern: string, names: string[]): string[] | string {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (err) {
    return `not a regular expression: ${(err as Error).message}`;
  }
  return names.filter((n) => re.test(n)).sort();
}
