import { consumingServices, exchanges, type SagaMode, type Topology, topology } from '@orderly/events';

/**
 * The chart's copy of the broker topology, rendered from the same `topology()` the services
 * assert. The delivery limit is a chart value (it also reaches the services as DELIVERY_LIMIT),
 * so the generator marks where it goes instead of baking one number in.
 */
export const topologyFilePath = 'charts/orderly/files/topology.json';
export const sagaModes: readonly SagaMode[] = ['choreography', 'orchestration'];

/** A value the chart fills in from its own values: `{"$value": "deliveryLimit"}`. */
export interface ChartValueRef {
  $value: 'deliveryLimit';
}

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

/** One saga mode's topology as the chart iterates it, with each service's broker access. */
export interface ModeTopology extends Topology {
  access: Record<string, ServiceAccess>;
}

export interface TopologyFile {
  generatedBy: string;
  consumingServices: string[];
  /** Access of a service that has no queue (it only publishes events through its outbox). */
  publisherAccess: ServiceAccess;
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
export function accessOf(service: string, t: Topology): ServiceAccess {
  const consumer = t.queues.some((q) => q.name === service);
  const publishes = new Set(publishesTo[service] ?? [exchanges.events]);
  if (consumer) {
    publishes.add(exchanges.retry);
    publishes.add(exchanges.dlx);
  }
  return { publishes: [...publishes].sort(), consumes: consumer ? [service] : [] };
}

export function buildTopologyFile(): TopologyFile {
  const modes = Object.fromEntries(
    sagaModes.map((mode) => {
      const t = topology({ mode, deliveryLimit: deliveryLimitSentinel });
      const access = Object.fromEntries(consumingServices.map((s) => [s, accessOf(s, t)]));
      return [mode, { ...withValueRefs(t), access }];
    }),
  ) as Record<SagaMode, ModeTopology>;
  return {
    generatedBy: 'scripts/k8s/gen-topology.ts from topology() in @orderly/events; do not edit',
    consumingServices: [...consumingServices],
    publisherAccess: { publishes: [exchanges.events], consumes: [] },
    modes,
  };
}

export function renderTopologyFile(): string {
  return `${JSON.stringify(buildTopologyFile(), null, 2)}\n`;
}

/** Fills the chart-value references back in: the topology as the chart renders it for one mode. */
export function resolveTopology(file: TopologyFile, mode: SagaMode, deliveryLimit: number): Topology {
  const { access: _access, ...t } = file.modes[mode];
  const resolve = (v: unknown) => (typeof v === 'object' && v !== null && '$value' in v ? deliveryLimit : v);
  return {
    ...t,
    policies: t.policies.map((p) => ({
      ...p,
      definition: Object.fromEntries(Object.entries(p.definition).map(([k, v]) => [k, resolve(v) as string | number])),
    })),
  };
}
