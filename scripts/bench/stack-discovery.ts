/**
 * Finding the processes of a running stack: each service by the port it listens on, RabbitMQ by
 * the AMQP port, PostgreSQL's postmaster by its port or as the checkpointer's parent.
 */
import { portToPid } from 'pid-port';
import pidusage from 'pidusage';
import { services } from '../local/services.ts';
import { checkpointerPid, databaseUrl, type PgStats } from './pg-stats.ts';
import { amqpUrl } from './rabbit-api.ts';

export interface StackPids {
  services: Record<string, number>;
  missing: string[];
  rabbit?: number;
  postmaster?: number;
}

// Any interface: RabbitMQ listens on `*:5672`. ss shows a pid only to its owner or root; one it hides is reported missing.
const listenerPid = (port: number) => portToPid({ port, host: '*' }).catch(() => undefined);

export async function discoverStack(pg: PgStats, known: Record<string, number> = {}): Promise<StackPids> {
  const found: Record<string, number> = {};
  const missing: string[] = [];
  for (const { name, port } of services) {
    const pid = known[name] ?? (await listenerPid(port));
    if (pid) found[name] = pid;
    else missing.push(name);
  }
  const amqpPort = Number(new URL(amqpUrl()).port || 5672);
  const pgPort = Number(new URL(databaseUrl()).port || 5432);
  const rabbit = await listenerPid(amqpPort);
  let postmaster = await listenerPid(pgPort);
  if (!postmaster) {
    const checkpointer = await checkpointerPid(pg);
    postmaster = checkpointer
      ? await pidusage(checkpointer).then(
          (s) => s.ppid,
          () => undefined,
        )
      : undefined;
  }
  return { services: found, missing, ...(rabbit ? { rabbit } : {}), ...(postmaster ? { postmaster } : {}) };
}
