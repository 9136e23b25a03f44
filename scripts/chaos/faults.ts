/**
 * The fault injectors. Each one injects its fault, lifts it (or lets the system lift it, as the
 * local stack does by restarting a killed service) and returns when it has been healed. Only
 * the run's own servers, proxies and processes are touched.
 */
import type { SagaMode } from '@orderly/events';
import { sagasInFlight } from '@orderly/order';
import type { ChaosStack } from './chaos-stack.ts';
import type { FaultContext } from './fault-context.ts';
import { sleep } from './load.ts';
import { duplicate, poison, reorder } from './message-faults.ts';
import type { FaultPlan } from './schedule.ts';

export type { FaultContext, InjectedPoison } from './fault-context.ts';

/** Injects the fault; resolves with a detail line when it has been healed. */
export async function inject(plan: FaultPlan, ctx: FaultContext): Promise<string | undefined> {
  const { chaos } = ctx;
  switch (plan.kind) {
    case 'kill-9':
      return killService(plan, ctx);
    case 'rolling-restart':
      await rollOut(chaos, plan.order, plan.staggerMs);
      return undefined;
    case 'mode-switch':
      return switchSagaMode(plan, ctx);
    case 'scale-out-in': {
      await chaos.stack.scale(plan.service, plan.replicas);
      burst(ctx, 10);
      await sleep(plan.holdMs);
      await chaos.stack.scale(plan.service, 1);
      return undefined;
    }
    case 'postgres-crash':
      await chaos.postgres.crash();
      await sleep(plan.downMs);
      await chaos.postgres.start();
      return undefined;
    case 'rabbitmq-stop':
      await chaos.rabbit.stopApp();
      await sleep(plan.downMs);
      await chaos.rabbit.startApp();
      return undefined;
    case 'rabbitmq-kill':
      await chaos.rabbit.kill();
      await chaos.rabbit.boot();
      return undefined;
    case 'network-hang':
    case 'network-slow': {
      const p = chaos.proxies.get(plan.service)!;
      const proxies = plan.target === 'both' ? [p.amqp, p.pg] : [plan.target === 'pg' ? p.pg : p.amqp];
      for (const proxy of proxies) {
        if (plan.kind === 'network-hang') proxy.hang();
        else proxy.slow(plan.delayMs);
      }
      await sleep(plan.holdMs);
      for (const proxy of proxies) proxy.heal();
      return undefined;
    }
    // These need the run's database and broker, which the other nemesis may have down right now: wait for them.
    case 'duplicate':
      return whenServersAnswer(() => duplicate(plan.schema, plan.count, ctx));
    case 'reorder':
      return whenServersAnswer(() => reorder(plan.orders, ctx));
    case 'poison':
      return whenServersAnswer(() => poison(plan.queue, plan.variant, ctx));
  }
}

/**
 * Each service's one instance replaced (SIGTERM, drain, start, ready), as `kubectl rollout restart`
 * of every deployment (or a `helm upgrade`) does; the rollouts overlap, a moment apart.
 */
async function rollOut(chaos: ChaosStack, order: string[], staggerMs: number): Promise<void> {
  await Promise.all(
    order.map(async (service, i) => {
      await sleep(i * staggerMs);
      await chaos.stack.restart(service);
    }),
  );
}

/**
 * A saga-mode switch as docs/kubernetes.md tells an operator to do it, under a burst of orders:
 * `helm upgrade` to the other mode with sagaSwitching=true (both modes' rights and bindings, every
 * service rolled), wait until no order of the old mode is in flight, then upgrade again with
 * sagaSwitching=false. The invariants then check that no order was lost or doubled.
 */
async function switchSagaMode(plan: Extract<FaultPlan, { kind: 'mode-switch' }>, ctx: FaultContext): Promise<string> {
  const { chaos } = ctx;
  const from = chaos.saga().mode;
  const to: SagaMode = from === 'orchestration' ? 'choreography' : 'orchestration';
  burst(ctx, 15);
  await chaos.setSaga({ mode: to, switching: true });
  await rollOut(chaos, plan.order, plan.staggerMs);
  const started = Date.now();
  const left = await whenServersAnswer(() => inFlightOf(ctx, from));
  let remaining = left;
  while (remaining > 0 && Date.now() - started < drainLimitMs) {
    await sleep(1000);
    remaining = await inFlightOf(ctx, from).catch(() => remaining);
  }
  const drainedMs = Date.now() - started;
  await chaos.setSaga({ mode: to, switching: false });
  await rollOut(chaos, plan.order, plan.staggerMs);
  const drain =
    remaining === 0 ? `drained in ${(drainedMs / 1000).toFixed(1)} s` : `NOT drained after ${drainLimitMs / 1000} s (${remaining} left)`;
  return `${from} → ${to}: ${left} orders of ${from} in flight after the roll-out, ${drain}`;
}

/** Longer than any saga under faults; an order of the old mode still in flight after it is left to the invariants. */
const drainLimitMs = 180_000;

/** Orders of a saga mode in flight (orderly_sagas_in_flight), from the run's database. */
async function inFlightOf(ctx: FaultContext, mode: SagaMode): Promise<number> {
  const client = await ctx.chaos.db.connect();
  try {
    await client.query('SET search_path TO "order"');
    return (await sagasInFlight(client))[mode];
  } finally {
    await client.query('RESET search_path').catch(() => undefined);
    client.release();
  }
}

async function whenServersAnswer<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 60) throw err;
      await sleep(2000);
    }
  }
}

/** Some orders at once, not awaited: work in every queue and outbox at the moment of the fault. */
function burst(ctx: FaultContext, n: number): void {
  for (let i = 0; i < n; i++) ctx.load.spawn(ctx.random.pick(['happy', 'cancelRace', 'declined', 'contended'] as const));
}

async function killService(plan: Extract<FaultPlan, { kind: 'kill-9' }>, ctx: FaultContext): Promise<string> {
  const { chaos } = ctx;
  if (plan.burst) {
    burst(ctx, 15);
    await sleep(plan.delayMs);
  }
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${plan.service} was not restarted and ready within 120 s`));
    }, 120_000);
    const off = chaos.onRestart((e) => {
      if (e.service === plan.service && e.replica === 0 && e.phase === 'ready') {
        clearTimeout(timer);
        off();
        resolve(e.downMs);
      }
    });
  });
  const pid = chaos.stack.pids()[plan.service];
  if (!chaos.stack.signal(plan.service, 'SIGKILL')) throw new Error(`${plan.service} is not running`);
  const downMs = await ready;
  return `pid ${pid} killed; restarted by the local stack, ready after ${(downMs / 1000).toFixed(1)} s`;
}
