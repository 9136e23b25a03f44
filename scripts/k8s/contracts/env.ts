import type { Manifest } from '../manifest.js';
import type { EnvVar } from './workloads.js';

/**
 * A container's environment as the process would see it: literal values, values from Secrets the
 * chart renders, and $(VAR) references expanded the way the kubelet does (only earlier variables).
 */
export function resolveEnv(
  env: EnvVar[],
  manifests: Manifest[],
): { env: Record<string, string>; problems: string[]; helpers: Set<string> } {
  const out: Record<string, string> = {};
  const problems: string[] = [];
  const referenced = new Set<string>();
  for (const v of env) {
    if (v.value !== undefined) {
      out[v.name] = expand(v.value, out, referenced);
    } else if (v.valueFrom?.secretKeyRef) {
      const { name, key } = v.valueFrom.secretKeyRef;
      const value = secretValue(manifests, name, key);
      if (value === undefined) problems.push(`${v.name}: Secret ${name} key ${key} is not rendered by the chart`);
      else out[v.name] = value;
    } else if (v.valueFrom) {
      problems.push(`${v.name}: only literal values and Secret keys are expected (credentials from Secrets, the rest literal)`);
    } else {
      out[v.name] = '';
    }
  }
  return { env: out, problems, helpers: referenced };
}

/** $(VAR) → value of an earlier VAR; $$(VAR) → literal $(VAR); unknown references stay as they are. */
export function expand(value: string, defined: Record<string, string>, referenced = new Set<string>()): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    if (name !== undefined && name in defined) {
      referenced.add(name);
      return defined[name]!;
    }
    return match;
  });
}

export function secretValue(manifests: Manifest[], name: string, key: string): string | undefined {
  const secret = manifests.find((m) => m.kind === 'Secret' && m.metadata.name === name) as
    | (Manifest & { stringData?: Record<string, string>; data?: Record<string, string> })
    | undefined;
  if (!secret) return undefined;
  if (secret.stringData?.[key] !== undefined) return secret.stringData[key];
  if (secret.data?.[key] !== undefined) return Buffer.from(secret.data[key], 'base64').toString('utf8');
  return undefined;
}

/** Standard variables the runtime reads, not the service's schema: OpenTelemetry's and Node's own. */
export const runtimeVariable = (name: string) => /^OTEL_[A-Z0-9_]+$/.test(name) || name === 'NODE_OPTIONS' || name === 'NODE_ENV';
