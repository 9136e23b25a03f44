export * from './catalog.js';
export * from './envelope.js';
export * from './headers.js';
export * from './text.js';
export * from './topology.js';
