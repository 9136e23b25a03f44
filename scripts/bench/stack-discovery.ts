/**
 * Finding the processes of a running stack: each service by the port it listens on, RabbitMQ by
 * the AMQP port, PostgreSQL's postmaster as the checkpointer's parent.
 */
import { services } from '../local/services.ts';
import { checkpointerPid, databaseUrl, type PgStats } from './pg-stats.ts';
import { listenerPid, parentPid } from './process-cpu.ts';
import { amqpUrl } from './rabbit-api.ts';

export interface StackPids {
  services: Record<string, number>;
  missing: string[];
  rabbit?: number;
  postmaster?: number;
}

export async function discoverStack(pg: PgStats, known: Record<string, number> = {}): Promise<StackPids> {
  const found: Record<string, number> = {};
  const missing: string[] = [];
  for (const { name, port } of services) {
    const pid = known[name] ?? listenerPid(port);
    if (pid) found[name] = pid;
    else missing.push(name);
  }
  const amqpPort = Number(new URL(amqpUrl()).port || 5672);
  const pgPort = Number(new URL(databaseUrl()).port || 5432);
  const rabbit = listenerPid(amqpPort);
  let postmaster = listenerPid(pgPort);
  if (!postmaster) {
    const checkpointer = await checkpointerPid(pg);
    postmaster = checkpointer ? parentPid(checkpointer) : undefined;
  }
  return { services: found, missing, ...(rabbit ? { rabbit } : {}), ...(postmaster ? { postmaster } : {}) };
}

/** True when the order service answers /healthz. */
export async function orderServiceAnswers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}
