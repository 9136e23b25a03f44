export { configSchema } from './config.js';
export { describeParked, type ParkedMessage } from './domain/parked-message.js';
export { redriveHeaders } from './domain/redrive.js';
export { definition } from './service.js';
