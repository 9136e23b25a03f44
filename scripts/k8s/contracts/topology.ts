import { type SagaMode, type Topology, topology } from '@orderly/events';
import type { Manifest } from '../manifest.js';

/** The topology as the rendered Messaging Topology Operator resources describe it. */
export function renderedTopology(manifests: Manifest[]): Topology & { vhosts: string[] } {
  const specs = (kind: string) =>
    manifests.filter((m) => m.kind === kind && m.apiVersion === 'rabbitmq.com/v1beta1').map((m) => m.spec as Record<string, unknown>);
  const vhosts = [...new Set(['Exchange', 'Queue', 'Binding', 'Policy'].flatMap((k) => specs(k).map((s) => String(s.vhost ?? '/'))))];
  return {
    vhosts,
    exchanges: specs('Exchange').map((s) => ({ name: String(s.name), type: s.type as 'topic' })),
    queues: specs('Queue').map((s) => ({ name: String(s.name), type: s.type as 'quorum' })),
    bindings: specs('Binding').map((s) => ({
      source: String(s.source),
      destination: String(s.destination),
      routingKey: String(s.routingKey ?? ''),
    })),
    policies: specs('Policy').map((s) => ({
      name: String(s.name),
      pattern: String(s.pattern),
      applyTo: s.applyTo as 'queues',
      priority: Number(s.priority ?? 0),
      definition: s.definition as Record<string, string | number>,
    })),
  };
}

const key = (x: unknown) =>
  JSON.stringify(x, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v));

function diffSets(what: string, expected: unknown[], actual: unknown[]): string[] {
  const e = new Set(expected.map(key));
  const a = new Set(actual.map(key));
  return [
    ...[...e].filter((x) => !a.has(x)).map((x) => `${what} missing from the chart: ${x}`),
    ...[...a].filter((x) => !e.has(x)).map((x) => `${what} in the chart but not in the code: ${x}`),
  ];
}

/**
 * The rendered resources equal topology() for the SAGA_MODE and DELIVERY_LIMIT the services get,
 * all in the one vhost the services connect to.
 */
export function checkTopology(manifests: Manifest[], mode: SagaMode, deliveryLimit: number, vhost: string): string[] {
  const expected = topology({ mode, deliveryLimit });
  const actual = renderedTopology(manifests);
  const problems = actual.vhosts.filter((v) => v !== vhost).map((v) => `topology resources in vhost ${v}, services use ${vhost}`);
  problems.push(
    ...diffSets('exchange', expected.exchanges, actual.exchanges),
    ...diffSets('queue', expected.queues, actual.queues),
    ...diffSets('binding', expected.bindings, actual.bindings),
    ...diffSets('policy', expected.policies, actual.policies),
  );
  return problems;
}
