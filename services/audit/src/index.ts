export { configSchema } from './config.js';
export * from './domain/activity.js';
export * from './domain/timeline.js';
export { definition } from './service.js';
