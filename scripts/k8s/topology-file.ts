import { consumerQueues, exchanges, type SagaMode, sagaModes, servicePorts, type Topology, topology } from '@orderly/events';

/**
 * The chart's copy of the broker topology, rendered from the same `topology()` the services
 * assert. The delivery limit is a chart value (it also reaches the services as DELIVERY_LIMIT),
 * so the generator marks where it goes instead of baking one number in.
 */
export const topologyFilePath = 'charts/orderly/files/topology.json';

// An improbable limit: any policy field equal to it came from the parameter, not a constant.
const deliveryLimitSentinel = 987_654_321;

/** Exchanges each service publishes to, besides what its consumer needs (retry, dead letter). */
const publishesTo: Record<string, readonly string[]> = {
  order: [exchanges.events, exchanges.commands],
  notification: [exchanges.events, exchanges.notifications],
};

export interface ServiceAccess {
  /** Exchanges the service publishes to. */
  publishes: string[];
  /** Queues the service consumes from. */
  consumes: string[];
}

/** One saga mode's topology as the chart iterates it: which service consumes which queue, and each service's broker access. */
export interface ModeTopology extends Topology {
  consumers: { queue: string; service: string }[];
  access: Record<string, ServiceAccess>;
}

export interface TopologyFile {
  generatedBy: string;
  modes: Record<SagaMode, ModeTopology>;
}

function withValueRefs(t: Topology): Topology {
  return {
    ...t,
    policies: t.policies.map((p) => ({
      ...p,
      definition: Object.fromEntries(
        Object.entries(p.definition).map(([k, v]) => [k, v === deliveryLimitSentinel ? ({ $value: 'deliveryLimit' } as never) : v]),
      ),
    })),
  };
}

/** What a service publishes and consumes: the least a Permission must allow once the operator owns the topology. */
export function accessOf(service: string, consumers: { queue: string; service: string }[]): ServiceAccess {
  const consumes = consumers.filter((c) => c.service === service).map((c) => c.queue);
  const publishes = new Set(publishesTo[service] ?? [exchanges.events]);
  if (consumes.length > 0) {
    publishes.add(exchanges.retry);
    publishes.add(exchanges.dlx);
  }
  return { publishes: [...publishes].sort(), consumes: consumes.sort() };
}

export function buildTopologyFile(): TopologyFile {
  const modes = Object.fromEntries(
    sagaModes.map((mode) => {
      const t = topology({ mode, deliveryLimit: deliveryLimitSentinel });
      const consumers = consumerQueues(mode).map(({ queue, service }) => ({ queue, service }));
      const access = Object.fromEntries(Object.keys(servicePorts).map((s) => [s, accessOf(s, consumers)]));
      return [mode, { ...withValueRefs(t), consumers, access }];
    }),
  ) as Record<SagaMode, ModeTopology>;
  return { generatedBy: 'scripts/k8s/gen-topology.ts from topology() in @orderly/events; do not edit', modes };
}

export function renderTopologyFile(): string {
  return `${JSON.stringify(buildTopologyFile(), null, 2)}\n`;
}
