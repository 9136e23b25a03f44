export { configSchema } from './config.js';
export * from './domain/history.js';
export * from './domain/profile.js';
export { definition } from './service.js';
