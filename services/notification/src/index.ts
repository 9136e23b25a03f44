export { configSchema } from './config.js';
export * from './domain/messages.js';
export { definition } from './service.js';
