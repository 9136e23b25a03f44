import { consolePort, servicePorts } from '@orderly/events';
import { localAdminDatabaseUrl } from '@orderly/platform/testing';

/** The services the local stack runs, with their ports (docs/architecture.md#http-api). */
export const services = Object.entries(servicePorts).map(([name, port]) => ({ name, port }));
/** The operations console, which npm start runs beside them (docs/console.md). */
export const consoleService = { name: 'console', port: consolePort };

/**
 * The administrator's access to the local servers scripts/setup.sh runs (RabbitMQ's loopback-only
 * guest, the database owner): for tools — the credentials and topology step, the bench — never
 * given to a service. Each service gets its own user and role (credentials.ts).
 */
export const localAdmin = {
  AMQP_URL: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/orderly',
  // scripts/setup.sh runs its cluster on a port of its own (ORDERLY_PG_PORT, 5440), not Debian's 5432;
  // its administrator's password is generated (admin-credentials.ts). Read when asked for: a tool
  // that needs no database (npm run token) needs no password file.
  get DATABASE_URL(): string {
    return process.env.DATABASE_URL ?? localAdminDatabaseUrl();
  },
  RABBITMQ_MANAGEMENT_URL: process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672/',
};

export const localDefaults = {
  // Short enough to watch a parcel leave and arrive during the demo.
  SHIPPING_DISPATCH_DELAY_MS: '2000',
  SHIPPING_DELIVERY_DELAY_MS: '3000',
  // The test payment methods (pm_card_visa, pm_card_declined) answer as their names say: a sandbox.
  PAYMENT_SANDBOX: 'true',
};

export const baseUrl = (name: string) => {
  const s = [...services, consoleService].find((x) => x.name === name);
  return process.env[`${name.toUpperCase()}_URL`] ?? `http://127.0.0.1:${s?.port ?? 0}`;
};
