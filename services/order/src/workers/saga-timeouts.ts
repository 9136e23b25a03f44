import { type Logger, PollLoop } from '@orderly/platform';
import type { OrderDeps } from '../use-cases/order-deps.js';
import { timeOutOrders } from '../use-cases/time-out-orders.js';

const batch = 50;

/** Orchestration: every pollMs, times out the orders whose saga step is overdue. */
export function sagaTimeouts(deps: OrderDeps, logger: Logger, pollMs: number): PollLoop {
  return new PollLoop(
    async () => {
      const cancelled = await timeOutOrders(deps, batch);
      if (cancelled.length > 0) logger.warn({ orders: cancelled.length }, 'saga steps timed out; compensated and cancelled');
      return cancelled.length === batch ? 'more' : 'idle';
    },
    { name: 'saga timeout sweep', everyMs: pollMs, logger },
  );
}
