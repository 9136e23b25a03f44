export { configSchema } from './config.js';
export * from './domain/reservation.js';
export { definition } from './service.js';
