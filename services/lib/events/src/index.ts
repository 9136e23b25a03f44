export * from './asyncapi.js';
export * from './asyncapi-compat.js';
export * from './asyncapi-html.js';
export * from './catalog.js';
export * from './envelope.js';
export * from './headers.js';
export * from './text.js';
export * from './topology.js';
