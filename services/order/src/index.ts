export { configSchema } from './config.js';
export * from './domain/lifecycle.js';
export * from './domain/lifecycle-rules.js';
export * from './domain/order-request.js';
export { definition } from './service.js';
