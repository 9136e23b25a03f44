import { randomBytes } from 'node:crypto';
import { consoleAccess, sagaModes, servicePorts } from '@orderly/events';
import { managementClient } from '../bus/management.js';

export interface ServiceUsers {
  /** The AMQP URL of a service's own user `<vhost>.<service>`; the administrator's for a name that is not a service. */
  amqpUrlFor(service: string): string;
  drop(): Promise<void>;
}

interface Permission {
  configure: string;
  write: string;
  read: string;
}

const exactly = (names: string[]) => `^(${[...new Set(names)].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`;

/**
 * The console's Permission as the chart grants it (consoleAccess, both saga modes): it declares
 * nothing, writes its events' exchange and the queues' retry exchanges, and reads the DLQs. In
 * tests it may also write the default exchange: the hostile-input suite publishes every catalog
 * type as its producer straight into a queue, the console's events into the audit queue included.
 * The console's code never uses it (a copy that did would not come through the retry exchange and
 * would not be trusted: the redrive tests would fail).
 */
export const consolePermission: Permission = {
  configure: '^$',
  write: exactly([...sagaModes.flatMap((m) => consoleAccess(m).publishes), 'amq.default']),
  read: exactly(sagaModes.flatMap((m) => consoleAccess(m).consumes)),
};

/**
 * A broker user per service for a scratch vhost, as on Kubernetes: consumers tell who published a
 * message by its user (RabbitMQ checks user_id against the connection's user). The pipeline's
 * services get full rights on the scratch vhost, because in tests each declares the topology
 * itself (the chart's least-privilege Permissions are proven in scripts/k8s/test/permissions.test.ts);
 * the console, which declares nothing, gets the chart's rights (consolePermission).
 */
export async function createServiceUsers(managementUrl: string, vhost: string, adminAmqpUrl: string): Promise<ServiceUsers> {
  const api = managementClient(managementUrl, 30_000).json;
  const urls = new Map<string, string>();
  const everything: Permission = { configure: '.*', write: '.*', read: '.*' };
  const users: [string, Permission][] = [
    ...Object.keys(servicePorts).map((s): [string, Permission] => [s, everything]),
    ['console', consolePermission],
  ];
  await Promise.all(
    users.map(async ([service, permission]) => {
      const user = `${vhost}.${service}`;
      const password = randomBytes(12).toString('hex');
      await api('PUT', `api/users/${encodeURIComponent(user)}`, { password, tags: '' });
      await api('PUT', `api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(user)}`, permission);
      const url = new URL(adminAmqpUrl);
      url.username = encodeURIComponent(user);
      url.password = password;
      urls.set(service, url.toString());
    }),
  );
  return {
    amqpUrlFor: (service) => urls.get(service) ?? adminAmqpUrl,
    async drop() {
      await Promise.all(
        [...urls.keys()].map((s) => api('DELETE', `api/users/${encodeURIComponent(`${vhost}.${s}`)}`).catch(() => undefined)),
      );
    },
  };
}

/**
 * What a service's broker user may write on the test's vhost (configure and read stay everything,
 * since services declare the topology in tests): how a test gives it a mode's rights, as the
 * chart's Permission would — without the commands exchange, choreography's order user.
 */
export async function permitWrite(
  env: { management(path: string, init?: RequestInit): Promise<Response>; vhost: string },
  service: string,
  write: string,
) {
  const user = `${env.vhost}.${service}`;
  const res = await env.management(`api/permissions/${encodeURIComponent(env.vhost)}/${encodeURIComponent(user)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ configure: '.*', write, read: '.*' }),
  });
  if (!res.ok) throw new Error(`permissions of ${user}: HTTP ${res.status}`);
}

/** A write permission that allows everything but the commands exchange. */
export const allButCommands = '^(?!orderly\\.commands$).*';
