export { configSchema } from './config.js';
export * from './domain/order-request.js';
export * from './domain/status.js';
export { sagasInFlight } from './saga/in-flight.js';
export { definition } from './service.js';
