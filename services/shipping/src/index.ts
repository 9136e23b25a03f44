export { configSchema } from './config.js';
export * from './domain/shipment.js';
export { definition } from './service.js';
