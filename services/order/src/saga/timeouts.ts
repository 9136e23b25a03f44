import type { Database, Logger, Worker } from '@orderly/platform';
import { advance } from '../handlers/outcomes.js';
import type { OrderMetrics } from '../metrics.js';
import type { SagaCoordinator } from './orchestrator.js';

/** Finds sagas whose step never got its reply, compensates them and cancels their orders. */
export function sagaTimeouts(db: Database, saga: SagaCoordinator, metrics: OrderMetrics, logger: Logger, pollMs: number): Worker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      const expired = await db.transaction(async (tx) => {
        const orderIds = await saga.expire(tx, 50);
        for (const orderId of orderIds) await advance(tx, orderId, { status: 'CANCELLED', reason: 'saga_timeout' }, {}, metrics);
        return orderIds;
      });
      if (expired.length > 0) logger.warn({ orders: expired.length }, 'saga steps timed out; compensated and cancelled');
    } catch (err) {
      logger.error({ err }, 'saga timeout sweep failed');
    }
  };
  return {
    async start() {
      const loop = () => {
        if (stopped) return;
        timer = setTimeout(() => {
          running = tick().finally(loop);
        }, pollMs);
      };
      loop();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
