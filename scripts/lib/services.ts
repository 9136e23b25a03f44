/** The services the local stack runs, with the ports DESIGN §2 gives them. */
export const services = [
  { name: 'order', port: 8080 },
  { name: 'inventory', port: 8081 },
  { name: 'payment', port: 8082 },
  { name: 'notification', port: 8083 },
] as const;

export const localDefaults = {
  AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672/orderly',
  DATABASE_URL: 'postgres://orderly:orderly@127.0.0.1:5432/orderly',
  RABBITMQ_MANAGEMENT_URL: 'http://guest:guest@127.0.0.1:15672/',
};

export const baseUrl = (name: string) => {
  const s = services.find((x) => x.name === name);
  return process.env[`${name.toUpperCase()}_URL`] ?? `http://127.0.0.1:${s?.port ?? 0}`;
};
