import { randomBytes } from 'node:crypto';
import { servicePorts } from '@orderly/events';
import { managementClient } from '../bus/management.js';

export interface ServiceUsers {
  /** The AMQP URL of a service's own user `<vhost>.<service>`; the administrator's for a name that is not a service. */
  amqpUrlFor(service: string): string;
  drop(): Promise<void>;
}

/**
 * A broker user per service for a scratch vhost, as on Kubernetes: consumers tell who published a
 * message by its user (RabbitMQ checks user_id against the connection's user). Full rights on the
 * scratch vhost, because in tests each service declares the topology itself; the chart's
 * least-privilege Permissions are proven in scripts/k8s/test/permissions.test.ts.
 */
export async function createServiceUsers(managementUrl: string, vhost: string, adminAmqpUrl: string): Promise<ServiceUsers> {
  const api = managementClient(managementUrl, 30_000).json;
  const urls = new Map<string, string>();
  await Promise.all(
    Object.keys(servicePorts).map(async (service) => {
      const user = `${vhost}.${service}`;
      const password = randomBytes(12).toString('hex');
      await api('PUT', `api/users/${encodeURIComponent(user)}`, { password, tags: '' });
      await api('PUT', `api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(user)}`, {
        configure: '.*',
        write: '.*',
        read: '.*',
      });
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
