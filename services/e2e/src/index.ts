export * from './otlp-receiver.js';
export * from './process.js';
export * from './stack.js';
