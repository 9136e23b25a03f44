import { execFileSync } from 'node:child_process';

/**
 * The brokers the broker-facing contracts run against: the system's (RabbitMQ 3.10 on Debian 12)
 * and the chroot's RabbitMQ 4.x (scripts/k8s/servers/up.sh, the minor the chart pins). Both are
 * required: a missing one fails the test with the command that starts it, never a silent pass.
 */
export interface BrokerTarget {
  name: string;
  amqpUrl: string;
  managementUrl: string;
}

export const brokerTargets: BrokerTarget[] = [
  {
    name: 'system',
    amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/',
    managementUrl: process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672/',
  },
  fromEnvScript('rabbitmq4'),
];

/** The variables scripts/k8s/servers/env.sh prints for a chroot server. */
export function serverEnv(name: 'rabbitmq4' | 'postgresql17'): Record<string, string> {
  const out = execFileSync('scripts/k8s/servers/env.sh', [name], { encoding: 'utf8' }).trim();
  return Object.fromEntries(out.split(/\s+/).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

function fromEnvScript(name: 'rabbitmq4'): BrokerTarget {
  const env = serverEnv(name);
  return { name, amqpUrl: env.AMQP_URL!, managementUrl: env.RABBITMQ_MANAGEMENT_URL! };
}

/** The management API of a target; throws with the start command when it does not answer. */
export async function management(target: BrokerTarget, path: string, init: RequestInit = {}): Promise<Response> {
  const base = new URL(target.managementUrl);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
  base.username = '';
  base.password = '';
  try {
    return await fetch(new URL(path, base), {
      ...init,
      headers: { authorization: auth, 'content-type': 'application/json', ...(init.headers ?? {}) },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new Error(
      `broker ${target.name} (${base}) does not answer: ${(err as Error).message}; start it with scripts/setup.sh --for-tests`,
    );
  }
}

export async function must(res: Promise<Response>): Promise<Response> {
  const r = await res;
  if (!r.ok) throw new Error(`${r.url}: ${r.status} ${await r.text()}`);
  return r;
}

export async function brokerVersion(target: BrokerTarget): Promise<string> {
  const overview = (await (await must(management(target, 'api/overview'))).json()) as { rabbitmq_version: string };
  return overview.rabbitmq_version;
}

/** An AMQP URL of the target for a user and vhost. */
export function amqpUrlFor(target: BrokerTarget, user: string, password: string, vhost: string): string {
  const url = new URL(target.amqpUrl);
  url.username = user;
  url.password = password;
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return url.toString();
}
