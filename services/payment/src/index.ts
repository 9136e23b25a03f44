export { configSchema } from './config.js';
export * from './domain/gateway.js';
export { definition } from './service.js';
