import {
  consoleAccess,
  consumerQueues,
  publishers,
  queuesReadBy,
  type ServiceName,
  servicePorts,
  type Topology,
  type TopologyMode,
  topology,
  topologyModes,
} from '@orderly/events';

/**
 * The chart's copy of the broker topology, rendered from the same `topology()` the services
 * assert. The delivery limit is a chart value (it also reaches the services as DELIVERY_LIMIT),
 * so the generator marks where it goes instead of baking one number in.
 */
export const topologyFilePath = 'charts/orderly/files/topology.json';

// An improbable limit: any policy field equal to it came from the parameter, not a constant.
const deliveryLimitSentinel = 987_654_321;

export interface ServiceAccess {
  /** Exchanges the service publishes to. */
  publishes: string[];
  /** Queues the service consumes from. */
  consumes: string[];
}

/** Whose broker access the chart renders: the pipeline's services and the operations console. */
export type AccessHolder = ServiceName | 'console';

/** One saga mode's topology as the chart iterates it: which service consumes which queue, and each service's broker access. */
export interface ModeTopology extends Topology {
  consumers: { queue: string; service: string }[];
  access: Record<AccessHolder, ServiceAccess>;
}

export interface TopologyFile {
  generatedBy: string;
  modes: Record<TopologyMode, ModeTopology>;
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

/**
 * What a service publishes and consumes in a mode (publishers() and consumerQueues() of
 * @orderly/events): the least its Permission allows, since the operator owns the topology.
 */
export function accessOf(service: ServiceName, mode: TopologyMode): ServiceAccess {
  // A reader that only records also reads the event stream.
  return { publishes: publishers(mode)[service], consumes: queuesReadBy(mode, service) };
}

export function buildTopologyFile(): TopologyFile {
  const modes = Object.fromEntries(
    // Each saga mode, and 'switching' (both, while a switch drains: values sagaSwitching, decision 0022).
    topologyModes.map((mode) => {
      const t = topology({ mode, deliveryLimit: deliveryLimitSentinel });
      const consumers = consumerQueues(mode).map(({ queue, service }) => ({ queue, service }));
      const access = {
        ...Object.fromEntries(Object.keys(servicePorts).map((s) => [s, accessOf(s as ServiceName, mode)])),
        // Reads every DLQ (its keeper records what is parked), writes every queue's retry exchange (redrive).
        console: consoleAccess(mode),
      };
      return [mode, { ...withValueRefs(t), consumers, access }];
    }),
  ) as Record<TopologyMode, ModeTopology>;
  return { generatedBy: 'scripts/k8s/gen-topology.ts from topology() in @orderly/events; do not edit', modes };
}

export function renderTopologyFile(): string {
  return `${JSON.stringify(buildTopologyFile(), null, 2)}\n`;
}
