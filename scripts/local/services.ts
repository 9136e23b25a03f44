import { servicePorts } from '@orderly/events';

/** The services the local stack runs, with their ports (docs/architecture.md#http-api). */
export const services = Object.entries(servicePorts).map(([name, port]) => ({ name, port }));

export const localDefaults = {
  AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672/orderly',
  DATABASE_URL: 'postgres://orderly:orderly@127.0.0.1:5432/orderly',
  RABBITMQ_MANAGEMENT_URL: 'http://guest:guest@127.0.0.1:15672/',
  // Short enough to watch a parcel leave and arrive during the demo.
  SHIPPING_DISPATCH_DELAY_MS: '2000',
  SHIPPING_DELIVERY_DELAY_MS: '3000',
};

export const baseUrl = (name: string) => {
  const s = services.find((x) => x.name === name);
  return process.env[`${name.toUpperCase()}_URL`] ?? `http://127.0.0.1:${s?.port ?? 0}`;
};
