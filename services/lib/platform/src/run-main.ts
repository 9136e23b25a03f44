import type { z } from 'zod';
import type { BaseConfig } from './config.js';
import { type RunningService, type ServiceDefinition, startService } from './service.js';
import { flushTelemetry } from './telemetry/flush.js';

/** Entry point of a service process: start, and stop cleanly on SIGTERM/SIGINT within the timeout. */
export async function runMain<S extends z.ZodType<BaseConfig>>(def: ServiceDefinition<S>): Promise<void> {
  let service: RunningService<z.infer<S>>;
  try {
    service = await startService(def, process.env);
  } catch (err) {
    console.error(`${def.name}: ${(err as Error).message}`);
    process.exit(1);
  }
  if (service.config.MIGRATE_ONLY) process.exit(0);
  const onSignal = (signal: string) => {
    service.logger.info({ signal }, 'shutdown requested');
    const timer = setTimeout(() => {
      service.logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, service.config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    service.stop().then(
      () => flushTelemetry().then(() => process.exit(0)),
      (err) => {
        service.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
