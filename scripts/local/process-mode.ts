/**
 * How the local stack runs the services: all seven in one Node process (the default, measured
 * cheaper on two cores), each still with its own connections, credentials, metrics and port, or each
 * as its own process (ORDERLY_PROCESSES=per-service: what Kubernetes does, one Deployment per
 * service; the chaos run's mode). See docs/decisions, one-process local stack. The console, the
 * identity provider and Prometheus stay processes of their own.
 */
import { z } from 'zod';
import type { Launch } from './supervisor.ts';

export const processModes = ['per-service', 'one'] as const;
export type ProcessMode = (typeof processModes)[number];

const modeSchema = z.enum(processModes, { message: `ORDERLY_PROCESSES must be one of ${processModes.join(', ')}` }).default('one');

/** The mode ORDERLY_PROCESSES names (unset or blank: one). */
export function processModeFrom(env: Record<string, string | undefined>): ProcessMode {
  const value = env.ORDERLY_PROCESSES?.trim() || undefined;
  const parsed = modeSchema.safeParse(value);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

/** What the one process is called in logs, restarts and the bench's CPU table. */
export const oneProcessName = 'services';

export interface HostedLaunch {
  root: string;
  /** node's arguments before the entry point (the telemetry register hook, a CPU profile). */
  nodeArgs: string[];
  /** The process's own environment: settings common to all, none of a service's credentials. */
  env: NodeJS.ProcessEnv;
  /** Each hosted service's full environment, as its own process would get it. */
  services: { name: string; env: Record<string, string> }[];
}

/** The launch of the one process: the services and their environments go on standard input. */
export function hostedLaunch({ root, nodeArgs, env, services }: HostedLaunch): Launch {
  const main = `${root}services/lib/platform/dist/src/one-process-main.js`;
  return {
    command: process.execPath,
    args: [...nodeArgs, main],
    env,
    input: JSON.stringify({
      services: services.map((s) => ({ name: s.name, module: `${root}services/${s.name}/dist/src/service.js`, env: s.env })),
    }),
  };
}

/** The name a one-process log line belongs to: the `service` field of the services' JSON lines. */
export function serviceOfLine(line: string, fallback: string): string {
  return /"service":"([a-z-]+)"/.exec(line)?.[1] ?? fallback;
}
