export { configSchema } from './config.js';
export * from './domain/place-order.js';
export * from './domain/status.js';
export { definition } from './service.js';
