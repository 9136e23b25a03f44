export * from './api-client.js';
export * from './contract.js';
export * from './identity.js';
export * from './otlp-receiver.js';
export * from './process.js';
export * from './prometheus.js';
export * from './scenarios.js';
export * from './stack.js';
