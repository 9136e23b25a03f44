/**
 * The fault schedule: drawn from the seed, so a run can be repeated fault for fault (the timing
 * follows the system). Faults come in rounds; each round holds every kind the run injects (the
 * quick ones more than once), shuffled, with each fault's parameters drawn as it is planned.
 */
import type { Random } from './random.ts';

export type FaultKind =
  | 'kill-9'
  | 'rolling-restart'
  | 'scale-out-in'
  | 'postgres-crash'
  | 'rabbitmq-stop'
  | 'rabbitmq-kill'
  | 'network-hang'
  | 'network-slow'
  | 'duplicate'
  | 'reorder'
  | 'poison'
  | 'mode-switch';

/**
 * Two nemeses run side by side, each one fault at a time: one for processes and servers (slow to
 * heal: a process takes its time to start), one for the network and the messages (quick). Their
 * faults overlap, as real ones do.
 */
export const processFaultKinds: readonly FaultKind[] = [
  'kill-9',
  'rolling-restart',
  'scale-out-in',
  'postgres-crash',
  'rabbitmq-stop',
  'rabbitmq-kill',
  'mode-switch',
];
export const networkFaultKinds: readonly FaultKind[] = ['network-hang', 'network-slow', 'duplicate', 'reorder', 'poison'];
export const faultKinds: readonly FaultKind[] = [...processFaultKinds, ...networkFaultKinds];

/** Quick to inject and to recover from: what the one-minute run of `npm test` uses. */
export const quickFaultKinds: FaultKind[] = [
  'kill-9',
  'scale-out-in',
  'postgres-crash',
  'network-hang',
  'network-slow',
  'duplicate',
  'reorder',
  'poison',
];

/** How many of each kind a round holds. */
const perRound: Partial<Record<FaultKind, number>> = { 'kill-9': 3, 'network-hang': 2, 'network-slow': 2 };

export type NetworkTarget = 'amqp' | 'pg' | 'both';

export type FaultPlan =
  | { kind: 'kill-9'; service: string; burst: boolean; delayMs: number }
  | { kind: 'rolling-restart'; order: string[]; staggerMs: number }
  | { kind: 'mode-switch'; order: string[]; staggerMs: number }
  | { kind: 'scale-out-in'; service: string; replicas: number; holdMs: number }
  | { kind: 'postgres-crash'; downMs: number }
  | { kind: 'rabbitmq-stop'; downMs: number }
  | { kind: 'rabbitmq-kill' }
  | { kind: 'network-hang'; service: string; target: NetworkTarget; holdMs: number }
  | { kind: 'network-slow'; service: string; target: NetworkTarget; delayMs: number; holdMs: number }
  | { kind: 'duplicate'; schema: string; count: number }
  | { kind: 'reorder'; orders: number }
  | { kind: 'poison'; queue: string; variant: 'not-json' | 'unknown-type' | 'invalid-data' | 'header-bomb' | 'too-large' };

export class FaultSchedule {
  #round: FaultKind[] = [];
  #killTargets: string[] = [];

  constructor(
    private readonly random: Random,
    private readonly kinds: FaultKind[],
    private readonly services: string[],
    private readonly queues: string[],
  ) {}

  next(): FaultPlan {
    if (this.#round.length === 0) {
      this.#round = this.random.shuffle(this.kinds.flatMap((k) => Array.from({ length: perRound[k] ?? 1 }, () => k)));
    }
    return this.#plan(this.#round.shift()!);
  }

  #plan(kind: FaultKind): FaultPlan {
    const r = this.random;
    const target = () => r.pick<NetworkTarget>(['amqp', 'pg', 'both']);
    switch (kind) {
      case 'kill-9': {
        // Every service in turn, in a shuffled order: each one is killed as often as the others.
        if (this.#killTargets.length === 0) this.#killTargets = r.shuffle(this.services);
        return { kind, service: this.#killTargets.shift()!, burst: r.chance(0.6), delayMs: r.int(20, 250) };
      }
      case 'rolling-restart':
      case 'mode-switch':
        return { kind, order: r.shuffle(this.services), staggerMs: r.int(500, 3000) };
      case 'scale-out-in':
        return { kind, service: r.pick(this.services), replicas: r.int(2, 3), holdMs: r.int(3000, 8000) };
      case 'postgres-crash':
        return { kind, downMs: r.int(500, 3000) };
      case 'rabbitmq-stop':
        return { kind, downMs: r.int(1000, 3000) };
      case 'rabbitmq-kill':
        return { kind };
      case 'network-hang':
        return { kind, service: r.pick(this.services), target: target(), holdMs: r.int(3000, 10_000) };
      case 'network-slow':
        return { kind, service: r.pick(this.services), target: target(), delayMs: r.int(20, 250), holdMs: r.int(4000, 10_000) };
      case 'duplicate':
        return { kind, schema: r.pick(['order', 'inventory', 'payment', 'shipping', 'notification']), count: r.int(5, 25) };
      case 'reorder':
        return { kind, orders: r.int(2, 5) };
      case 'poison':
        return {
          kind,
          queue: r.pick(this.queues),
          variant: r.pick(['not-json', 'unknown-type', 'invalid-data', 'header-bomb', 'too-large'] as const),
        };
    }
  }
}

export function describePlan(p: FaultPlan): string {
  switch (p.kind) {
    case 'kill-9':
      return `${p.service}${p.burst ? ` ${p.delayMs} ms into a burst (${p.service === 'order' ? 'relay publishing' : 'mid-batch'})` : ''}`;
    case 'rolling-restart':
      return p.order.join(' → ');
    case 'mode-switch':
      return `the other saga mode under a burst: rolled out switching (${p.order.join(' → ')}), drained, rolled out alone`;
    case 'scale-out-in':
      return `${p.service} ×${p.replicas} for ${(p.holdMs / 1000).toFixed(1)} s, then ×1`;
    case 'postgres-crash':
      return `pg_ctl stop -m immediate, down ${(p.downMs / 1000).toFixed(1)} s`;
    case 'rabbitmq-stop':
      return `stop_app, down ${(p.downMs / 1000).toFixed(1)} s, start_app`;
    case 'rabbitmq-kill':
      return 'kill -9 of the node, boot';
    case 'network-hang':
      return `${p.service} ↔ ${p.target === 'both' ? 'broker+database' : p.target === 'pg' ? 'database' : 'broker'} hangs ${(p.holdMs / 1000).toFixed(1)} s`;
    case 'network-slow':
      return `${p.service} ↔ ${p.target === 'both' ? 'broker+database' : p.target === 'pg' ? 'database' : 'broker'} +${p.delayMs} ms for ${(p.holdMs / 1000).toFixed(1)} s`;
    case 'duplicate':
      return `${p.count} of ${p.schema}'s recent messages delivered again`;
    case 'reorder':
      return `the messages of ${p.orders} recent orders delivered again, newest first`;
    case 'poison':
      return `${p.variant} → ${p.queue}`;
  }
}
