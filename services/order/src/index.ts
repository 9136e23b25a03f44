export { configSchema } from './config.js';
export * from './domain/lifecycle.js';
export * from './domain/lifecycle-rules.js';
export * from './domain/order-request.js';
export { sagasInFlight } from './saga/in-flight.js';
export { definition } from './service.js';
